/**
 * Container images. The guide's own images no longer work on current clusters, so the defaults are pinned,
 * pullable images and `ImageSet.GUIDE` gives back the guide's exact ones.
 */

/** Which images the constructs use when no `image` prop is given. */
export enum ImageSet {
  /**
   * Pinned, pullable images: official `nginx` (the ConfigMap's default.conf does TLS) and `curlimages/curl`.
   */
  PINNED = 'pinned',
  /**
   * The guide's exact images: `nginx` (untagged), `bprashanth/nginxhttps:1.0` and `radial/busyboxplus:curl`.
   * `bprashanth/nginxhttps:1.0` is a Docker schema-1 image that containerd 2.x refuses to pull
   * (kubernetes/website#50363, #54007) and `radial/busyboxplus` is unmaintained: use this for parity, not for clusters.
   */
  GUIDE = 'guide',
}

/** The images of one {@link ImageSet}. */
export interface ImageChoice {
  /** Step 1's plain nginx (run-my-nginx.yaml). */
  readonly nginx: string;
  /** Step 3's nginx that serves https from the mounted Secret (nginx-secure-app.yaml). */
  readonly nginxHttps: string;
  /** The client pod of curlpod.yaml. */
  readonly curl: string;
  /** The metrics sidecar that publishes nginx's stub_status to Prometheus (not part of the guide). */
  readonly exporter: string;
}

/** The images of each {@link ImageSet}. */
export const IMAGES: Readonly<Record<ImageSet, ImageChoice>> = {
  [ImageSet.PINNED]: {
    nginx: 'nginx:1.27.4',
    nginxHttps: 'nginx:1.27.4',
    curl: 'curlimages/curl:8.18.0',
    exporter: 'nginx/nginx-prometheus-exporter:1.4.0',
  },
  [ImageSet.GUIDE]: {
    nginx: 'nginx',
    nginxHttps: 'bprashanth/nginxhttps:1.0',
    curl: 'radial/busyboxplus:curl',
    // The guide has no metrics: its image set takes the pinned exporter.
    exporter: 'nginx/nginx-prometheus-exporter:1.4.0',
  },
};

/** bprashanth/nginxhttps (the guide's Japanese page) carries a default.conf that serves https from /etc/nginx/ssl. */
export function bakesItsOwnConfig(image: string): boolean {
  return image.split(/[:@]/)[0] === IMAGES[ImageSet.GUIDE].nginxHttps.split(':')[0];
}

/**
 * Why nginx without root (`restricted`, and so the production preset) cannot run `image`, or undefined: the one
 * wording of the rule for the construct and both settings readers.
 */
export function restrictedImageProblem(image: string): string | undefined {
  return bakesItsOwnConfig(image)
    ? `its nginx (${image}) runs as root on 80 and 443 from a default.conf of its own, and restricted pods have no root to bind those ports`
    : undefined;
}
