package conformance

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/codefresh-io/go-sdk/pkg/appproxy"
	apmodel "github.com/codefresh-io/go-sdk/pkg/model/app-proxy"
)

// integrationRuntime is a new hybrid runtime's app-proxy (no git integration yet) and the caller's user id.
func integrationRuntime(t *testing.T, prefix string) (appproxy.GitIntegrationAPI, string) {
	t.Helper()
	cf := pro(t)
	me, err := cf.GraphQL().User().GetCurrent(ctx(t))
	mustNoError(t, err, "User().GetCurrent")
	name := newHybridRuntime(t, cf, prefix, hybridOptions{})
	return appProxy(t, cf, name).GitIntegration(), me.ID
}

func addIntegration(t *testing.T, gi appproxy.GitIntegrationAPI, args *apmodel.AddGitIntegrationArgs) *apmodel.GitIntegration {
	t.Helper()
	added, err := gi.Add(ctx(t), args)
	mustNoError(t, err, "GitIntegration().Add")
	return added
}

func addDefault(t *testing.T, gi appproxy.GitIntegrationAPI) *apmodel.GitIntegration {
	t.Helper()
	return addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Provider: apmodel.GitProvidersGithub, APIURL: ptr(suite(t).gitAPIURL), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
}

func register(t *testing.T, gi appproxy.GitIntegrationAPI, name *string) *apmodel.GitIntegration {
	t.Helper()
	registered, err := gi.Register(ctx(t), &apmodel.RegisterToGitIntegrationArgs{Name: name, Token: suite(t).gitToken, Username: ptr("conformance")})
	mustNoError(t, err, "GitIntegration().Register")
	return registered
}

func mustGet(t *testing.T, gi appproxy.GitIntegrationAPI, name *string) *apmodel.GitIntegration {
	t.Helper()
	got, err := gi.Get(ctx(t), name)
	mustNoError(t, err, "GitIntegration().Get")
	if got == nil {
		t.Fatalf("GitIntegration().Get(%v) = nil, want the integration", deref(name))
	}
	return got
}

func integrationNames(t *testing.T, gi appproxy.GitIntegrationAPI) []string {
	t.Helper()
	list, err := gi.List(ctx(t))
	mustNoError(t, err, "GitIntegration().List")
	names := []string{}
	for _, i := range list {
		names = append(names, i.Name)
	}
	slices.Sort(names)
	return names
}

// Codefresh's app-proxy adds a git integration (named "default" unless named, the provider's public API
// unless given) and answers it; a taken name is refused.
func TestAppProxyGitIntegrationAdd(t *testing.T) {
	gi, _ := integrationRuntime(t, "gi-add")
	e := suite(t)

	t.Run("unnamed: the default integration", func(t *testing.T) {
		added := addDefault(t, gi)
		equal(t, "name", added.Name, "default")
		equal(t, "provider", added.Provider, apmodel.GitProvidersGithub)
		equal(t, "apiUrl", added.APIURL, e.gitAPIURL)
		equal(t, "sharingPolicy", added.SharingPolicy, apmodel.SharingPolicyAllUsersInAccount)
		if len(added.RegisteredUsers) != 0 {
			t.Errorf("registeredUsers %v, want none yet", added.RegisteredUsers)
		}
	})

	t.Run("named, without an API URL: the provider's public API", func(t *testing.T) {
		added := addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Name: ptr("public"), Provider: apmodel.GitProvidersGithub, SharingPolicy: apmodel.SharingPolicyAccountAdmins})
		equal(t, "name", added.Name, "public")
		equal(t, "apiUrl", added.APIURL, "https://api.github.com")
		equal(t, "sharingPolicy", added.SharingPolicy, apmodel.SharingPolicyAccountAdmins)
		gitlab := addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Name: ptr("public-gitlab"), Provider: apmodel.GitProvidersGitlab, SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
		equal(t, "GITLAB apiUrl", gitlab.APIURL, "https://gitlab.com/api/v4")
	})

	t.Run("a taken name is refused", func(t *testing.T) {
		_, err := gi.Add(ctx(t), &apmodel.AddGitIntegrationArgs{Provider: apmodel.GitProvidersGitlab, APIURL: ptr("https://gitlab.example.com/api/v4"), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
		mustErrorContaining(t, err, "already exists")
		equal(t, "the default's provider after the refusal", mustGet(t, gi, nil).Provider, apmodel.GitProvidersGithub)
	})
}

// Codefresh's app-proxy lists the runtime's git integrations with the users registered to each.
func TestAppProxyGitIntegrationList(t *testing.T) {
	gi, userID := integrationRuntime(t, "gi-list")
	if names := integrationNames(t, gi); len(names) != 0 {
		t.Fatalf("a new runtime's integrations %v, want none", names)
	}
	addDefault(t, gi)
	addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Name: ptr("gitlab"), Provider: apmodel.GitProvidersGitlab, APIURL: ptr("https://gitlab.example.com/api/v4"), SharingPolicy: apmodel.SharingPolicyAccountAdmins})
	register(t, gi, nil)

	list, err := gi.List(ctx(t))
	mustNoError(t, err, "GitIntegration().List")
	byName := map[string]apmodel.GitIntegration{}
	for _, i := range list {
		byName[i.Name] = i
	}
	if names := keys(byName); !slices.Equal(names, []string{"default", "gitlab"}) {
		t.Fatalf("integrations %v, want default and gitlab", names)
	}
	equal(t, "gitlab provider", byName["gitlab"].Provider, apmodel.GitProvidersGitlab)
	equal(t, "gitlab apiUrl", byName["gitlab"].APIURL, "https://gitlab.example.com/api/v4")
	equal(t, "gitlab sharingPolicy", byName["gitlab"].SharingPolicy, apmodel.SharingPolicyAccountAdmins)
	users := func(i apmodel.GitIntegration) []string {
		ids := []string{}
		for _, u := range i.Users {
			ids = append(ids, u.UserID)
		}
		return ids
	}
	if got := users(byName["default"]); !slices.Equal(got, []string{userID}) {
		t.Errorf("default users %v, want [%s]", got, userID)
	}
	if got := users(byName["gitlab"]); len(got) != 0 {
		t.Errorf("gitlab users %v, want none", got)
	}
}

// Codefresh's app-proxy answers a git integration by name, the default one without a name, and null for
// a name it does not know (or when there is none).
func TestAppProxyGitIntegrationGet(t *testing.T) {
	gi, _ := integrationRuntime(t, "gi-get")
	none, err := gi.Get(ctx(t), nil)
	mustNoError(t, err, "GitIntegration().Get(nil) without integrations")
	if none != nil {
		t.Fatalf("Get(nil) without integrations = %+v, want nil", none)
	}
	added := addDefault(t, gi)
	gitlab := addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Name: ptr("gitlab"), Provider: apmodel.GitProvidersGitlab, APIURL: ptr("https://gitlab.example.com/api/v4"), SharingPolicy: apmodel.SharingPolicyAccountAdmins})

	sameAs := func(t *testing.T, got, want *apmodel.GitIntegration) {
		t.Helper()
		equal(t, "name", got.Name, want.Name)
		equal(t, "provider", got.Provider, want.Provider)
		equal(t, "apiUrl", got.APIURL, want.APIURL)
		equal(t, "sharingPolicy", got.SharingPolicy, want.SharingPolicy)
	}
	t.Run("by name", func(t *testing.T) { sameAs(t, mustGet(t, gi, ptr("gitlab")), gitlab) })
	t.Run("without a name: the default", func(t *testing.T) { sameAs(t, mustGet(t, gi, nil), added) })
	t.Run("an unknown name: nil, no error", func(t *testing.T) {
		unknown, err := gi.Get(ctx(t), ptr("no-such-integration"))
		mustNoError(t, err, "GitIntegration().Get(unknown)")
		if unknown != nil {
			t.Errorf("Get(unknown) = %+v, want nil", unknown)
		}
	})
}

// Codefresh's app-proxy changes a git integration's API URL and sharing policy; an unknown one is refused.
func TestAppProxyGitIntegrationEdit(t *testing.T) {
	gi, _ := integrationRuntime(t, "gi-edit")
	addDefault(t, gi)
	edited, err := gi.Edit(ctx(t), &apmodel.EditGitIntegrationArgs{Name: ptr("default"), APIURL: ptr("https://github.example.com/api/v3"), SharingPolicy: apmodel.SharingPolicyAccountAdmins})
	mustNoError(t, err, "GitIntegration().Edit")
	equal(t, "edited apiUrl", edited.APIURL, "https://github.example.com/api/v3")
	equal(t, "edited sharingPolicy", edited.SharingPolicy, apmodel.SharingPolicyAccountAdmins)
	got := mustGet(t, gi, ptr("default"))
	equal(t, "Get apiUrl", got.APIURL, "https://github.example.com/api/v3")
	equal(t, "Get sharingPolicy", got.SharingPolicy, apmodel.SharingPolicyAccountAdmins)
	equal(t, "Get provider", got.Provider, apmodel.GitProvidersGithub)

	t.Run("an unknown integration is refused", func(t *testing.T) {
		_, err := gi.Edit(ctx(t), &apmodel.EditGitIntegrationArgs{Name: ptr("no-such-integration"), SharingPolicy: apmodel.SharingPolicyAccountAdmins})
		mustErrorContaining(t, err, "does not exist")
	})
}

// Codefresh's app-proxy registers the caller's git token with an integration: the caller is then among
// its registered users, and the token is never answered back.
func TestAppProxyGitIntegrationRegister(t *testing.T) {
	gi, userID := integrationRuntime(t, "gi-register")
	addDefault(t, gi)
	registered := register(t, gi, ptr("default"))
	if !slices.Contains(registered.RegisteredUsers, userID) {
		t.Errorf("Register's registeredUsers %v, want the caller %s", registered.RegisteredUsers, userID)
	}
	got := mustGet(t, gi, nil)
	if !slices.Contains(got.RegisteredUsers, userID) {
		t.Errorf("Get's registeredUsers %v, want the caller %s", got.RegisteredUsers, userID)
	}
	list, err := gi.List(ctx(t))
	mustNoError(t, err, "GitIntegration().List")
	for what, answer := range map[string]any{"Register": registered, "Get": got, "List": list} {
		text, _ := json.Marshal(answer)
		if strings.Contains(string(text), suite(t).gitToken) {
			t.Errorf("%s answers the registered token", what)
		}
	}
}

// Codefresh's app-proxy deregisters the caller from an integration; deregistering again is refused.
func TestAppProxyGitIntegrationDeregister(t *testing.T) {
	gi, userID := integrationRuntime(t, "gi-deregister")
	addDefault(t, gi)
	register(t, gi, nil)
	deregistered, err := gi.Deregister(ctx(t), ptr("default"))
	mustNoError(t, err, "GitIntegration().Deregister")
	if slices.Contains(deregistered.RegisteredUsers, userID) {
		t.Errorf("Deregister's registeredUsers %v still hold the caller", deregistered.RegisteredUsers)
	}
	if users := mustGet(t, gi, nil).RegisteredUsers; slices.Contains(users, userID) {
		t.Errorf("Get's registeredUsers %v still hold the caller", users)
	}

	t.Run("not registered: refused", func(t *testing.T) {
		_, err := gi.Deregister(ctx(t), ptr("default"))
		mustErrorContaining(t, err, "not registered")
	})
}

// Codefresh's app-proxy removes a git integration; an unknown one is refused.
func TestAppProxyGitIntegrationRemove(t *testing.T) {
	gi, _ := integrationRuntime(t, "gi-remove")
	addDefault(t, gi)
	addIntegration(t, gi, &apmodel.AddGitIntegrationArgs{Name: ptr("leaving"), Provider: apmodel.GitProvidersGitlab, APIURL: ptr("https://gitlab.example.com/api/v4"), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount})
	mustNoError(t, gi.Remove(ctx(t), "leaving"), "GitIntegration().Remove")
	if names := integrationNames(t, gi); !slices.Equal(names, []string{"default"}) {
		t.Errorf("integrations after Remove %v, want only default", names)
	}
	gone, err := gi.Get(ctx(t), ptr("leaving"))
	mustNoError(t, err, "GitIntegration().Get(removed)")
	if gone != nil {
		t.Errorf("Get(removed) = %+v, want nil", gone)
	}

	t.Run("an unknown integration is refused", func(t *testing.T) {
		mustErrorContaining(t, gi.Remove(ctx(t), "no-such-integration"), "no-such-integration")
	})
}
