package conformance

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// Codefresh lists a runtime's clusters: its own `in-cluster` first, then the clusters registered to it in
// registration order, each with its connection state (Successful with the server's version when the
// credentials work, Failed with a message when not), a page of 50 at a time.
func TestClusterList(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	rt := newGitRuntime(t, cf, "cl-list")

	t.Run("a runtime's own cluster", func(t *testing.T) {
		clusters := listClusters(t, cf, rt.name)
		if len(clusters) != 1 {
			t.Fatalf("clusters %v, want only in-cluster", clusterNames(clusters))
		}
		own := clusters[0]
		equal(t, "name", metadataName(own.Metadata), "in-cluster")
		equal(t, "metadata.runtime", own.Metadata.Runtime, rt.name)
		equal(t, "server", own.Server, inClusterServer)
		equal(t, "connectionState.status", own.Info.ConnectionState.Status, platmodel.ClusterConnectionStatusSuccessful)
	})

	t.Run("registered clusters, reachable and not", func(t *testing.T) {
		mustRegisterCluster(t, rt.name, "target", e.kubeServer)
		mustRegisterCluster(t, rt.name, "unreachable", "https://127.0.0.1:9")
		clusters := listClusters(t, cf, rt.name)
		if got, want := clusterNames(clusters), []string{"in-cluster", "target", "unreachable"}; !slices.Equal(got, want) {
			t.Fatalf("clusters %v, want %v", got, want)
		}
		target, unreachable := clusters[1], clusters[2]
		equal(t, "target server", target.Server, e.kubeServer)
		equal(t, "target metadata.runtime", target.Metadata.Runtime, rt.name)
		equal(t, "target connectionState.status", target.Info.ConnectionState.Status, platmodel.ClusterConnectionStatusSuccessful)
		if version := deref(target.Info.ServerVersion); !regexp.MustCompile(`^v\d+\.\d+\.\d+`).MatchString(version) {
			t.Errorf("target serverVersion %q, want the kube-apiserver's (v1.36.3-like)", version)
		}
		equal(t, "unreachable server", unreachable.Server, "https://127.0.0.1:9")
		equal(t, "unreachable connectionState.status", unreachable.Info.ConnectionState.Status, platmodel.ClusterConnectionStatusFailed)
		if deref(unreachable.Info.ConnectionState.Message) == "" {
			t.Error("unreachable connectionState.message is empty, want why it failed")
		}
	})

	t.Run("only the runtime's clusters", func(t *testing.T) {
		other := newHybridRuntime(t, cf, "cl-other", hybridOptions{})
		if names := clusterNames(listClusters(t, cf, other)); !slices.Equal(names, []string{"in-cluster"}) {
			t.Errorf("another runtime's clusters %v, want only its in-cluster", names)
		}
	})

	t.Run("more than a page: the SDK follows pageInfo", func(t *testing.T) {
		paged := newGitRuntime(t, cf, "cl-pages")
		registerUnreachableClusters(t, paged.name, "page", 20100, 50)
		names := clusterNames(listClusters(t, cf, paged.name))
		want := []string{"in-cluster"}
		for i := 0; i < 50; i++ {
			want = append(want, fmt.Sprintf("page-%02d", i))
		}
		if len(names) != len(want) || names[0] != "in-cluster" {
			t.Fatalf("%d clusters starting %v, want in-cluster and 50 registered (51 over two pages)", len(names), names[:min(3, len(names))])
		}
		sorted := slices.Clone(names)
		slices.Sort(sorted)
		slices.Sort(want)
		if !slices.Equal(sorted, want) {
			t.Errorf("clusters %v, want %v", names, want)
		}
	})
}

// Codefresh's app-proxy removes a registered cluster (removeCluster): its manifest leaves the Shared
// Configuration Repository and the runtime no longer lists it.
func TestAppProxyClusterDelete(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	rt := newGitRuntime(t, cf, "cl-delete")
	mustRegisterCluster(t, rt.name, "leaving", e.kubeServer)
	manifest := fmt.Sprintf("runtimes/%s/leaving.yaml", rt.name)
	mustRepoFile(t, rt.isc, manifest, e.kubeServer)

	mustNoError(t, rt.ap.Cluster().Delete(ctx(t), e.kubeServer, rt.name), "Cluster().Delete")
	if names := clusterNames(listClusters(t, cf, rt.name)); !slices.Equal(names, []string{"in-cluster"}) {
		t.Errorf("clusters after Delete %v, want only in-cluster", names)
	}
	mustNoRepoFile(t, rt.isc, manifest)

	t.Run("a server not connected is refused", func(t *testing.T) {
		mustErrorContaining(t, rt.ap.Cluster().Delete(ctx(t), "https://10.9.9.9:6443", rt.name), "https://10.9.9.9:6443")
	})
}

// Codefresh's app-proxy installs Argo Rollouts on a cluster the runtime manages (createArgoRollouts): a
// component `argo-rollouts` (the runtime's own cluster) or `argo-rollouts-<cluster>` appears.
func TestAppProxyClusterCreateArgoRollouts(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	rt := newGitRuntime(t, cf, "cl-rollouts")
	componentNames := func(t *testing.T) []string {
		components, err := cf.GraphQL().Component().List(ctx(t), rt.name)
		mustNoError(t, err, "Component().List")
		names := []string{}
		for _, c := range components {
			names = append(names, metadataName(c.Metadata))
		}
		return names
	}

	t.Run("a server not connected is refused", func(t *testing.T) {
		mustErrorContaining(t, rt.ap.Cluster().CreateArgoRollouts(ctx(t), "https://10.9.9.9:6443", "argo-rollouts"), "not connected")
		if slices.ContainsFunc(componentNames(t), func(n string) bool { return n == "argo-rollouts" || n == "argo-rollouts-target" }) {
			t.Error("a refused install added a component")
		}
	})

	t.Run("on the runtime's own cluster", func(t *testing.T) {
		mustNoError(t, rt.ap.Cluster().CreateArgoRollouts(ctx(t), inClusterServer, "argo-rollouts"), "Cluster().CreateArgoRollouts")
		if names := componentNames(t); !slices.Contains(names, "argo-rollouts") {
			t.Errorf("components %v, want argo-rollouts", names)
		}
	})

	t.Run("on a registered cluster", func(t *testing.T) {
		mustRegisterCluster(t, rt.name, "target", e.kubeServer)
		mustNoError(t, rt.ap.Cluster().CreateArgoRollouts(ctx(t), e.kubeServer, "argo-rollouts"), "Cluster().CreateArgoRollouts")
		if names := componentNames(t); !slices.Contains(names, "argo-rollouts-target") {
			t.Errorf("components %v, want argo-rollouts-target", names)
		}
	})
}
