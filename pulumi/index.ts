// Entry point of `pulumi up` (Pulumi.yaml): the program of pulumi/program.ts, its outputs as the stack's outputs.
import { guideProgram } from './program';

const outputs = guideProgram();

export const loadBalancerAddress = outputs.loadBalancerAddress;
export const serviceName = outputs.serviceName;
export const clusterIP = outputs.clusterIP;
export const nodePorts = outputs.nodePorts;
export const certificatePem = outputs.certificatePem;
export const certificateExpiry = outputs.certificateExpiry;
