// pulumi-resource-kubernetes as upstream's cmd/pulumi-resource-kubernetes builds it. Upstream embeds files its
// `go generate` writes and git ignores, so the module lacks them; ../build.sh writes them from the module's
// schema.json (version stamped) and terraform-mapping.json before building.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
