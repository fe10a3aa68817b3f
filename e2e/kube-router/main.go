// kube-router with two of its controllers: the firewall (the NetworkPolicy controller) and the load-balancer
// address allocator (--run-loadbalancer: it gives each LoadBalancer Service an address of --loadbalancer-ip-range and
// writes it into the Service's status, as a cloud's controller does), started as upstream's pkg/cmd Run starts them
// when --run-router and --run-service-proxy are false. e2e/node.sh runs both on each node; e2e/cluster.sh runs the
// allocator alone beside kwok. Upstream's main links the BGP router, the IPVS proxy and the AWS SDK as well: 929
// packages to compile against these. The flags are upstream's; one that asks for a part left out is refused.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/cloudnativelabs/kube-router/v2/pkg/controllers/lballoc"
	"github.com/cloudnativelabs/kube-router/v2/pkg/controllers/netpol"
	"github.com/cloudnativelabs/kube-router/v2/pkg/healthcheck"
	"github.com/cloudnativelabs/kube-router/v2/pkg/options"
	"github.com/cloudnativelabs/kube-router/v2/pkg/version"
	"github.com/spf13/pflag"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "kube-router: %s\n", err)
		os.Exit(1)
	}
}

func run() error {
	klog.InitFlags(nil)
	config := options.NewKubeRouterConfig()
	config.AddFlags(pflag.CommandLine)
	pflag.Parse()
	// As upstream: klog's flags live in the standard flag set (https://github.com/kubernetes/kubernetes/issues/17162).
	if err := flag.CommandLine.Parse([]string{}); err != nil {
		return err
	}
	if err := flag.Set("logtostderr", "true"); err != nil {
		return err
	}
	if err := flag.Set("v", config.VLevel); err != nil {
		return err
	}
	if config.HelpRequested {
		pflag.Usage()
		return nil
	}
	if config.Version {
		version.PrintVersion(false)
		return nil
	}
	if config.RunFirewall && os.Geteuid() != 0 {
		return fmt.Errorf("kube-router needs to be run with privileges to execute iptables and ipset")
	}
	if config.CleanupConfig {
		npc := netpol.NetworkPolicyController{}
		npc.Cleanup()
		return nil
	}
	switch {
	case config.RunRouter:
		return fmt.Errorf("--run-router: this build runs the firewall alone; pass --run-router=false")
	case config.RunServiceProxy:
		return fmt.Errorf("--run-service-proxy: this build runs the firewall alone; pass --run-service-proxy=false")
	case config.MetricsPort != 0:
		return fmt.Errorf("--metrics-port=%d: this build has no metrics controller; pass --metrics-port=0", config.MetricsPort)
	case !config.RunFirewall && !config.RunLoadBalancer:
		return fmt.Errorf("--run-firewall=false without --run-loadbalancer: this build would run nothing")
	case config.RunLoadBalancer && len(config.LoadBalancerCIDRs) == 0:
		return fmt.Errorf("--run-loadbalancer: give the addresses to allocate with --loadbalancer-ip-range")
	case config.Kubeconfig == "" && config.Master == "":
		return fmt.Errorf("--kubeconfig: give the node's kubeconfig (this build never reads in-cluster config)")
	}
	version.PrintVersion(true)
	version.PrintVersionMessages(true)

	restConfig, err := clientcmd.BuildConfigFromFlags(config.Master, config.Kubeconfig)
	if err != nil {
		return fmt.Errorf("failed to build configuration from CLI: %v", err)
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("failed to create Kubernetes client: %v", err)
	}
	return runControllers(client, config)
}

// runControllers is upstream's Run with only the health controller, the firewall and the load-balancer allocator (each
// as asked), until SIGINT or SIGTERM.
func runControllers(client kubernetes.Interface, config *options.KubeRouterConfig) error {
	var wg sync.WaitGroup
	healthChan := make(chan *healthcheck.ControllerHeartbeat, 10)
	defer close(healthChan)
	stopCh := make(chan struct{})

	hc, err := healthcheck.NewHealthController(config)
	if err != nil {
		return fmt.Errorf("failed to create health controller: %v", err)
	}
	wg.Add(1)
	go hc.RunServer(stopCh, &wg)

	informerFactory := informers.NewSharedInformerFactory(client, 0)
	podInformer := informerFactory.Core().V1().Pods().Informer()
	nsInformer := informerFactory.Core().V1().Namespaces().Informer()
	npInformer := informerFactory.Networking().V1().NetworkPolicies().Informer()
	svcInformer := informerFactory.Core().V1().Services().Informer()
	informerFactory.Start(stopCh)
	if err := cacheSyncOrTimeout(informerFactory, stopCh, config.CacheSyncTimeout); err != nil {
		return fmt.Errorf("failed to synchronize cache: %v", err)
	}
	hc.SetAlive()
	wg.Add(1)
	go hc.RunCheck(healthChan, stopCh, &wg)

	if config.RunFirewall {
		if err := startFirewall(client, config, podInformer, nsInformer, npInformer, healthChan, stopCh, &wg); err != nil {
			return err
		}
	}
	if config.RunLoadBalancer {
		// As upstream: the allocators elect a leader through a Lease in $POD_NAMESPACE, named by $POD_NAME.
		klog.V(0).Info("running load balancer allocator controller")
		lbc, err := lballoc.NewLoadBalancerController(client, config, svcInformer)
		if err != nil {
			return fmt.Errorf("failed to create load balancer allocator: %v", err)
		}
		if _, err := svcInformer.AddEventHandler(lbc); err != nil {
			return fmt.Errorf("failed to add ServiceEventHandler: %v", err)
		}
		wg.Add(1)
		go lbc.Run(healthChan, stopCh, &wg)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
	klog.Infof("Shutting down the controllers")
	close(stopCh)
	wg.Wait()
	return nil
}

// startFirewall starts the NetworkPolicy controller as upstream's Run does.
func startFirewall(client kubernetes.Interface, config *options.KubeRouterConfig, podInformer, nsInformer,
	npInformer cache.SharedIndexInformer, healthChan chan<- *healthcheck.ControllerHeartbeat, stopCh <-chan struct{},
	wg *sync.WaitGroup) error {
	var ipsetMutex sync.Mutex
	iptablesCmdHandlers, ipSetHandlers, err := netpol.NewIPTablesHandlers(config)
	if err != nil {
		return fmt.Errorf("failed to create iptables handlers: %v", err)
	}
	npc, err := netpol.NewNetworkPolicyController(client, config, podInformer, npInformer, nsInformer, &ipsetMutex,
		iptablesCmdHandlers, ipSetHandlers)
	if err != nil {
		return fmt.Errorf("failed to create network policy controller: %v", err)
	}
	if _, err := podInformer.AddEventHandler(npc.PodEventHandler); err != nil {
		return fmt.Errorf("failed to add PodEventHandler: %v", err)
	}
	if _, err := nsInformer.AddEventHandler(npc.NamespaceEventHandler); err != nil {
		return fmt.Errorf("failed to add NamespaceEventHandler: %v", err)
	}
	if _, err := npInformer.AddEventHandler(npc.NetworkPolicyEventHandler); err != nil {
		return fmt.Errorf("failed to add NetworkPolicyEventHandler: %v", err)
	}
	wg.Add(1)
	go npc.Run(healthChan, stopCh, wg)
	return nil
}

func cacheSyncOrTimeout(factory informers.SharedInformerFactory, stopCh <-chan struct{}, timeout time.Duration) error {
	synced := make(chan struct{})
	go func() {
		factory.WaitForCacheSync(stopCh)
		close(synced)
	}()
	select {
	case <-time.After(timeout):
		return fmt.Errorf("%s timeout", timeout)
	case <-synced:
		return nil
	}
}
