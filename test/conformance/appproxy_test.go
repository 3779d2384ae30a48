package conformance

import (
	"fmt"
	"testing"
)

// Codefresh's app-proxy answers its version (the runtime's), the platform it works with, and the
// platform's version.
func TestAppProxyVersionInfo(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	check := func(t *testing.T, runtime, wantVersion string) {
		t.Helper()
		info, err := appProxy(t, cf, runtime).VersionInfo().VersionInfo(ctx(t))
		mustNoError(t, err, "VersionInfo().VersionInfo")
		equal(t, "version", info.Version, wantVersion)
		equal(t, "platformHost", info.PlatformHost, e.apiURL)
		if info.PlatformVersion == "" {
			t.Error("platformVersion is empty")
		}
	}

	t.Run("a TUNNEL hybrid runtime", func(t *testing.T) {
		check(t, newHybridRuntime(t, cf, "vi-tunnel", hybridOptions{}), runtimeVersion)
	})
	t.Run("an INGRESS hybrid runtime, through its own ingress host", func(t *testing.T) {
		check(t, newHybridRuntime(t, cf, "vi-ingress", hybridOptions{ingressHost: true}), runtimeVersion)
	})
	t.Run("the hosted runtime", func(t *testing.T) {
		name := hosted(t)
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		check(t, name, deref(rt.RuntimeVersion))
	})
}

// Codefresh's app-proxy removes its runtime from the Shared Configuration Repository in one commit
// (runtimes/<runtime>/ and resources/<runtime>/ go) and answers how many files went; other runtimes'
// files stay.
func TestAppProxyIscRemoveRuntimeFromIscRepo(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	other := newGitRuntime(t, cf, "isc-stays")
	createGitSource(t, other, "kept", "kept")
	rt := newGitRuntime(t, cf, "isc-remove")
	createGitSource(t, rt, "guestbook", "guestbook")
	mustRegisterCluster(t, rt.name, "target", e.kubeServer)
	files := []string{
		fmt.Sprintf("runtimes/%s/in-cluster.yaml", rt.name),
		fmt.Sprintf("runtimes/%s/target.yaml", rt.name),
		gitSourceManifest(rt.name, "guestbook"),
	}
	for _, file := range files {
		mustRepoFile(t, rt.isc, file)
	}

	removed, err := rt.ap.ISC().RemoveRuntimeFromIscRepo(ctx(t))
	mustNoError(t, err, "ISC().RemoveRuntimeFromIscRepo")
	if removed <= 0 {
		t.Errorf("RemoveRuntimeFromIscRepo = %d, want the number of files removed (> 0)", removed)
	}
	for _, file := range files {
		mustNoRepoFile(t, rt.isc, file)
	}
	mustRepoFile(t, rt.isc, fmt.Sprintf("runtimes/%s/in-cluster.yaml", other.name))
	mustRepoFile(t, rt.isc, gitSourceManifest(other.name, "kept"))
}
