package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	apmodel "github.com/codefresh-io/go-sdk/pkg/model/app-proxy"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

func createGitSource(t *testing.T, rt gitRuntime, name, path string) {
	t.Helper()
	err := rt.ap.GitSource().Create(ctx(t), &apmodel.CreateGitSourceInput{
		AppName:       name,
		AppSpecifier:  appsRepo(t) + "/" + path,
		DestServer:    inClusterServer,
		DestNamespace: ptr(name),
	})
	mustNoError(t, err, "GitSource().Create("+name+")")
}

func gitSourceManifest(runtime, name string) string {
	return fmt.Sprintf("resources/%s/%s.yaml", runtime, name)
}

// checkListed checks a git source as GitSource().List shows it: its repo and path, synced and healthy.
func checkListed(t *testing.T, source platmodel.GitSource, repoURL, path string) {
	t.Helper()
	equal(t, metadataName(source.Metadata)+" self.repoURL", deref(source.Self.RepoURL), repoURL)
	equal(t, metadataName(source.Metadata)+" self.path", deref(source.Self.Path), path)
	if source.Self.Status == nil {
		t.Fatalf("%s: self.status is null", metadataName(source.Metadata))
	}
	equal(t, metadataName(source.Metadata)+" self.status.syncStatus", source.Self.Status.SyncStatus, platmodel.SyncStatusSynced)
	equal(t, metadataName(source.Metadata)+" self.status.healthStatus", deref(source.Self.Status.HealthStatus), platmodel.HealthStatusHealthy)
}

// Codefresh's app-proxy creates a git source by committing its Application manifest to the Shared
// Configuration Repository (resources/<runtime>/<name>.yaml); the platform then lists it. A hybrid
// runtime commits with the caller's registered git token, and refuses without one.
func TestAppProxyGitSourceCreate(t *testing.T) {
	cf := pro(t)

	t.Run("the manifest is committed and the git source listed", func(t *testing.T) {
		rt := newGitRuntime(t, cf, "gs-create")
		createGitSource(t, rt, "guestbook", "guestbook")
		mustRepoFile(t, rt.isc, gitSourceManifest(rt.name, "guestbook"), "name: guestbook", "repoURL: "+appsRepo(t), "path: guestbook")
		checkListed(t, waitGitSource(t, cf, rt.name, "guestbook"), appsRepo(t), "guestbook")
	})

	t.Run("a taken name is refused", func(t *testing.T) {
		rt := newGitRuntime(t, cf, "gs-dup")
		createGitSource(t, rt, "guestbook", "guestbook")
		err := rt.ap.GitSource().Create(ctx(t), &apmodel.CreateGitSourceInput{AppName: "guestbook", AppSpecifier: appsRepo(t) + "/other", DestServer: inClusterServer})
		mustErrorContaining(t, err, "already exists")
	})

	t.Run("without the caller's registered git token it is refused, saying to register one", func(t *testing.T) {
		e := suite(t)
		ensureIsc(t, cf)
		name := newHybridRuntime(t, cf, "gs-no-token", hybridOptions{})
		ap := appProxy(t, cf, name)
		_, err := ap.GitIntegration().Add(ctx(t), &apmodel.AddGitIntegrationArgs{Provider: apmodel.GitProvidersGithub, APIURL: ptr(e.gitAPIURL), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
		mustNoError(t, err, "GitIntegration().Add")
		err = ap.GitSource().Create(ctx(t), &apmodel.CreateGitSourceInput{AppName: "early", AppSpecifier: appsRepo(t) + "/early", DestServer: inClusterServer})
		mustErrorContaining(t, err, "register", "git token")
		if source := findGitSource(listGitSources(t, cf, name), "early"); source != nil {
			t.Error("a refused git source is listed")
		}
	})
}

// Codefresh's app-proxy edits a git source by committing its changed manifest; the platform lists the
// new path.
func TestAppProxyGitSourceEdit(t *testing.T) {
	cf := pro(t)
	rt := newGitRuntime(t, cf, "gs-edit")
	createGitSource(t, rt, "guestbook", "guestbook")
	waitGitSource(t, cf, rt.name, "guestbook")

	err := rt.ap.GitSource().Edit(ctx(t), &apmodel.EditGitSourceInput{AppName: "guestbook", AppSpecifier: appsRepo(t) + "/guestbook-v2"})
	mustNoError(t, err, "GitSource().Edit")
	mustRepoFile(t, rt.isc, gitSourceManifest(rt.name, "guestbook"), "path: guestbook-v2")
	eventually(t, "the edited path listed", func() error {
		source := waitGitSource(t, cf, rt.name, "guestbook")
		if path := deref(source.Self.Path); path != "guestbook-v2" {
			return fmt.Errorf("self.path %q", path)
		}
		return nil
	})

	t.Run("an unknown git source is refused", func(t *testing.T) {
		err := rt.ap.GitSource().Edit(ctx(t), &apmodel.EditGitSourceInput{AppName: "no-such-source", AppSpecifier: appsRepo(t) + "/x"})
		mustErrorContaining(t, err, "no-such-source")
	})
}

// Codefresh's app-proxy deletes a git source (deleteApplication): its manifest leaves the Shared
// Configuration Repository and the platform no longer lists it.
func TestAppProxyGitSourceDelete(t *testing.T) {
	cf := pro(t)
	rt := newGitRuntime(t, cf, "gs-delete")
	createGitSource(t, rt, "guestbook", "guestbook")
	waitGitSource(t, cf, rt.name, "guestbook")

	mustNoError(t, rt.ap.GitSource().Delete(ctx(t), "guestbook"), "GitSource().Delete")
	if source := findGitSource(listGitSources(t, cf, rt.name), "guestbook"); source != nil {
		t.Error("GitSource().List still lists the deleted git source")
	}
	mustNoRepoFile(t, rt.isc, gitSourceManifest(rt.name, "guestbook"))

	t.Run("an unknown git source is refused", func(t *testing.T) {
		mustErrorContaining(t, rt.ap.GitSource().Delete(ctx(t), "no-such-source"), "no-such-source")
	})
}

// Codefresh lists a runtime's git sources with their Application's repo, path and status; a hosted
// runtime whose git is connected has `default-git-source`.
func TestGitSourceList(t *testing.T) {
	cf := pro(t)

	t.Run("a hybrid runtime's git sources", func(t *testing.T) {
		rt := newGitRuntime(t, cf, "gs-list")
		if sources := listGitSources(t, cf, rt.name); len(sources) != 0 {
			t.Fatalf("a new runtime's git sources: %d, want none", len(sources))
		}
		createGitSource(t, rt, "frontend", "frontend")
		createGitSource(t, rt, "backend", "services/backend")
		waitGitSource(t, cf, rt.name, "frontend")
		waitGitSource(t, cf, rt.name, "backend")
		sources := listGitSources(t, cf, rt.name)
		names := []string{}
		for _, s := range sources {
			names = append(names, metadataName(s.Metadata))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"backend", "frontend"}) {
			t.Fatalf("git sources %v, want backend and frontend", names)
		}
		checkListed(t, *findGitSource(sources, "frontend"), appsRepo(t), "frontend")
		checkListed(t, *findGitSource(sources, "backend"), appsRepo(t), "services/backend")
	})

	t.Run("the hosted runtime's default git source", func(t *testing.T) {
		name := hosted(t)
		source := findGitSource(listGitSources(t, cf, name), "default-git-source")
		if source == nil || source.Self == nil {
			t.Fatalf("the hosted runtime %s lists no default-git-source with its Application", name)
		}
		e := suite(t)
		if repo := deref(source.Self.RepoURL); !strings.HasPrefix(repo, fmt.Sprintf("%s/%s/", e.gitURL, e.gitOrg)) {
			t.Errorf("default-git-source self.repoURL %q, want the repo connected in %s/%s", repo, e.gitURL, e.gitOrg)
		}
		equal(t, "default-git-source self.status.syncStatus", source.Self.Status.SyncStatus, platmodel.SyncStatusSynced)
		equal(t, "default-git-source self.status.healthStatus", deref(source.Self.Status.HealthStatus), platmodel.HealthStatusHealthy)
	})
}
