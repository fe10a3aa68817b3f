// CoreDNS with only the plugins e2e/cluster-dns.yaml's Corefile names, in CoreDNS's own way for a custom build
// (https://coredns.io/2017/07/25/compile-time-enabling-or-disabling-plugins/). Upstream's main links every plugin,
// and with them the AWS, Azure, Google Cloud and Datadog SDKs: 1,409 packages to compile against these 795 (with an
// empty build cache and no huge pages, 215 s against 182 s).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The plugins a Corefile may name, in the order upstream's plugin.cfg runs them; any other name is a Corefile error.
var directives = []string{"ready", "errors", "cache", "kubernetes"}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
