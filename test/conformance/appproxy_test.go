package conformance

import (
	"slices"
	"testing"

	apmodel "github.com/codefresh-io/go-sdk/pkg/model/app-proxy"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

func gitSourceArgs(name, path string) *apmodel.CreateGitSourceInput {
	return &apmodel.CreateGitSourceInput{
		AppName:       name,
		AppSpecifier:  env.gitURL + "/" + env.gitOrg + "/codefresh-apps.git/" + path,
		DestServer:    "https://kubernetes.default.svc",
		DestNamespace: ptr("default"),
	}
}

func gitSourcesOf(t *testing.T, runtime string) map[string]platmodel.GitSource {
	t.Helper()
	list, err := cf().GraphQL().GitSource().List(ctx(), runtime)
	noError(t, err)
	byName := map[string]platmodel.GitSource{}
	for _, source := range list {
		byName[source.Metadata.Name] = source
	}
	return byName
}

// createGitSource commits the Application manifest to the Shared Configuration Repository, with the user's
// registered token on a hybrid runtime; `gitSources` then lists it, synced and healthy.
func TestAppProxyGitSourceCreate(t *testing.T) {
	noError(t, appProxy(t, writer).GitSource().Create(ctx(), gitSourceArgs("conf-apps", "apps/one")))
	equal(t, "manifest committed", iscFileStatus(t, "resources/"+writer+"/conf-apps.yaml"), 200)
	source, listed := gitSourcesOf(t, writer)["conf-apps"]
	if !listed {
		t.Fatal("the git source is not listed")
	}
	equal(t, "path", *source.Self.Path, "apps/one")
	equal(t, "repoURL", *source.Self.RepoURL, env.gitURL+"/"+env.gitOrg+"/codefresh-apps.git")
	equal(t, "sync", source.Self.Status.SyncStatus, platmodel.SyncStatusSynced)
	errorContains(t, appProxy(t, writer).GitSource().Create(ctx(), gitSourceArgs("conf-apps", "apps/one")), "already exists")
}

// `gitSources(runtime)` lists only that runtime's git sources; a hosted runtime with git connected has its default one.
func TestGitSourceList(t *testing.T) {
	hosted := gitSourcesOf(t, env.hostedRuntime)
	if _, ok := hosted["default-git-source"]; !ok {
		t.Fatalf("the hosted runtime's git sources %v lack default-git-source", hosted)
	}
	if _, ok := hosted["conf-apps"]; ok {
		t.Fatal("another runtime's git source is listed")
	}
}

// editGitSource changes the Application's source; the list shows the new path.
func TestAppProxyGitSourceEdit(t *testing.T) {
	noError(t, appProxy(t, writer).GitSource().Create(ctx(), gitSourceArgs("conf-edit", "apps/before")))
	noError(t, appProxy(t, writer).GitSource().Edit(ctx(), &apmodel.EditGitSourceInput{
		AppName: "conf-edit", AppSpecifier: env.gitURL + "/" + env.gitOrg + "/codefresh-apps.git/apps/after",
	}))
	equal(t, "path", *gitSourcesOf(t, writer)["conf-edit"].Self.Path, "apps/after")
	errorContains(t, appProxy(t, writer).GitSource().Edit(ctx(), &apmodel.EditGitSourceInput{AppName: "conf-missing", AppSpecifier: env.gitURL + "/o/r.git"}), "does not exist")
}

// deleteApplication removes the manifest and the git source.
func TestAppProxyGitSourceDelete(t *testing.T) {
	noError(t, appProxy(t, writer).GitSource().Create(ctx(), gitSourceArgs("conf-delete-me", "apps/gone")))
	noError(t, appProxy(t, writer).GitSource().Delete(ctx(), "conf-delete-me"))
	equal(t, "manifest removed", iscFileStatus(t, "resources/"+writer+"/conf-delete-me.yaml"), 404)
	if _, ok := gitSourcesOf(t, writer)["conf-delete-me"]; ok {
		t.Fatal("still listed")
	}
	errorContains(t, appProxy(t, writer).GitSource().Delete(ctx(), "conf-delete-me"), "does not exist")
}

// createArgoRollouts installs Argo Rollouts on a cluster the runtime manages: it shows as a component.
func TestAppProxyClusterCreateArgoRollouts(t *testing.T) {
	registerCluster(t, writer, "conf-rollouts", env.kubeServer, env.kubeToken)
	errorContains(t, appProxy(t, writer).Cluster().CreateArgoRollouts(ctx(), "https://not-connected.example", "argo-rollouts"), "not connected")
	noError(t, appProxy(t, writer).Cluster().CreateArgoRollouts(ctx(), env.kubeServer, "argo-rollouts"))
	components, err := cf().GraphQL().Component().List(ctx(), writer)
	noError(t, err)
	names := []string{}
	for _, c := range components {
		names = append(names, c.Metadata.Name)
	}
	if !slices.Contains(names, "argo-rollouts-conf-rollouts") {
		t.Fatalf("components %v lack argo-rollouts-conf-rollouts", names)
	}
}

// removeCluster disconnects a managed cluster: its manifest leaves the ISC and `clusters` no longer lists it.
func TestAppProxyClusterDelete(t *testing.T) {
	registerCluster(t, writer, "conf-remove", "https://127.0.0.2:1", "no-token")
	equal(t, "manifest committed", iscFileStatus(t, "runtimes/"+writer+"/conf-remove.yaml"), 200)
	noError(t, appProxy(t, writer).Cluster().Delete(ctx(), "https://127.0.0.2:1", writer))
	equal(t, "manifest removed", iscFileStatus(t, "runtimes/"+writer+"/conf-remove.yaml"), 404)
	clusters, err := cf().GraphQL().Cluster().List(ctx(), writer)
	noError(t, err)
	for _, c := range clusters {
		if c.Metadata.Name == "conf-remove" {
			t.Fatal("still listed")
		}
	}
	errorContains(t, appProxy(t, writer).Cluster().Delete(ctx(), "https://127.0.0.2:1", writer), "not connected")
}

// versionInfo: the app-proxy's version (the runtime's) and the platform it talks to.
func TestAppProxyVersionInfo(t *testing.T) {
	info, err := appProxy(t, writer).VersionInfo().VersionInfo(ctx())
	noError(t, err)
	equal(t, "version", info.Version, runtimeVersion)
	equal(t, "platformHost", info.PlatformHost, env.apiURL)
	if info.PlatformVersion == "" {
		t.Fatal("no platformVersion")
	}
}

// A runtime's git integrations: each mutation changes what the next query returns, and no token is ever returned.
func TestAppProxyGitIntegration(t *testing.T) {
	const runtime = "conf-integrations"
	_, err := cf().GraphQL().Runtime().Create(ctx(), hybridArgs(runtime))
	noError(t, err)
	integrations := appProxy(t, runtime).GitIntegration()
	me, err := cf().GraphQL().User().GetCurrent(ctx())
	noError(t, err)

	t.Run("Get of none", func(t *testing.T) {
		none, err := integrations.Get(ctx(), nil)
		noError(t, err)
		if none != nil {
			t.Fatalf("want nil, got %+v", none)
		}
	})
	t.Run("Add", func(t *testing.T) {
		added, err := integrations.Add(ctx(), &apmodel.AddGitIntegrationArgs{Provider: apmodel.GitProvidersGitlab, SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
		noError(t, err)
		equal(t, "name", added.Name, "default")
		equal(t, "apiUrl", added.APIURL, "https://gitlab.com/api/v4")
		named, err := integrations.Add(ctx(), &apmodel.AddGitIntegrationArgs{Name: ptr("team"), Provider: apmodel.GitProvidersGithub, APIURL: ptr(env.gitAPIURL), SharingPolicy: apmodel.SharingPolicyAccountAdmins})
		noError(t, err)
		equal(t, "sharingPolicy", named.SharingPolicy, apmodel.SharingPolicyAccountAdmins)
		_, err = integrations.Add(ctx(), &apmodel.AddGitIntegrationArgs{Name: ptr("team"), Provider: apmodel.GitProvidersGithub, SharingPolicy: apmodel.SharingPolicyAccountAdmins})
		errorContains(t, err, "already exists")
	})
	t.Run("Get", func(t *testing.T) {
		got, err := integrations.Get(ctx(), ptr("team"))
		noError(t, err)
		equal(t, "provider", got.Provider, apmodel.GitProvidersGithub)
		equal(t, "apiUrl", got.APIURL, env.gitAPIURL)
		byDefault, err := integrations.Get(ctx(), nil)
		noError(t, err)
		equal(t, "default name", byDefault.Name, "default")
	})
	t.Run("List", func(t *testing.T) {
		list, err := integrations.List(ctx())
		noError(t, err)
		names := []string{}
		for _, i := range list {
			names = append(names, i.Name)
		}
		slices.Sort(names)
		equal(t, "names", len(names), 2)
		equal(t, "first", names[0], "default")
		equal(t, "second", names[1], "team")
	})
	t.Run("Edit", func(t *testing.T) {
		edited, err := integrations.Edit(ctx(), &apmodel.EditGitIntegrationArgs{Name: ptr("team"), APIURL: ptr("https://github.example.com/api/v3"), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
		noError(t, err)
		equal(t, "returned apiUrl", edited.APIURL, "https://github.example.com/api/v3")
		got, err := integrations.Get(ctx(), ptr("team"))
		noError(t, err)
		equal(t, "apiUrl", got.APIURL, "https://github.example.com/api/v3")
		equal(t, "sharingPolicy", got.SharingPolicy, apmodel.SharingPolicyAllUsersInAccount)
		_, err = integrations.Edit(ctx(), &apmodel.EditGitIntegrationArgs{Name: ptr("nope"), SharingPolicy: apmodel.SharingPolicyAccountAdmins})
		errorContains(t, err, "does not exist")
	})
	t.Run("Register", func(t *testing.T) {
		registered, err := integrations.Register(ctx(), &apmodel.RegisterToGitIntegrationArgs{Name: ptr("team"), Token: "ghp_conformance-secret", Username: ptr("alice")})
		noError(t, err)
		if !slices.Contains(registered.RegisteredUsers, me.ID) {
			t.Fatalf("registeredUsers %v lack %s", registered.RegisteredUsers, me.ID)
		}
		list, err := integrations.List(ctx())
		noError(t, err)
		for _, i := range list {
			if i.Name == "team" && (len(i.Users) != 1 || i.Users[0].UserID != me.ID) {
				t.Fatalf("users of team: %+v", i.Users)
			}
		}
	})
	t.Run("Deregister", func(t *testing.T) {
		deregistered, err := integrations.Deregister(ctx(), ptr("team"))
		noError(t, err)
		equal(t, "registeredUsers", len(deregistered.RegisteredUsers), 0)
		got, err := integrations.Get(ctx(), ptr("team"))
		noError(t, err)
		equal(t, "registeredUsers after", len(got.RegisteredUsers), 0)
		_, err = integrations.Deregister(ctx(), ptr("team"))
		errorContains(t, err, "not registered")
	})
	t.Run("Remove", func(t *testing.T) {
		noError(t, integrations.Remove(ctx(), "team"))
		gone, err := integrations.Get(ctx(), ptr("team"))
		noError(t, err)
		if gone != nil {
			t.Fatalf("still there: %+v", gone)
		}
		errorContains(t, integrations.Remove(ctx(), "team"), "does not exist")
	})
}

// removeRuntimeFromIscRepo (cli-v2's uninstall): the runtime's directories leave the ISC in a commit.
func TestAppProxyISCRemoveRuntimeFromIscRepo(t *testing.T) {
	const runtime = "conf-isc"
	_, err := cf().GraphQL().Runtime().Create(ctx(), hybridArgs(runtime))
	noError(t, err)
	noError(t, registerGitToken(runtime))
	proxy := appProxy(t, runtime)
	noError(t, proxy.GitSource().Create(ctx(), gitSourceArgs("conf-isc-apps", "apps/isc")))
	equal(t, "layout", iscFileStatus(t, "runtimes/"+runtime+"/in-cluster.yaml"), 200)
	removed, err := proxy.ISC().RemoveRuntimeFromIscRepo(ctx())
	noError(t, err)
	equal(t, "manifests removed", removed, 2)
	equal(t, "layout removed", iscFileStatus(t, "runtimes/"+runtime+"/in-cluster.yaml"), 404)
	equal(t, "git source removed", iscFileStatus(t, "resources/"+runtime+"/conf-isc-apps.yaml"), 404)
	equal(t, "another runtime's manifests stay", iscFileStatus(t, "runtimes/"+writer+"/in-cluster.yaml"), 200)
}
