package conformance

import (
	"fmt"
	"testing"

	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// These two share the ENTERPRISE account, on which no runtime ever clones a Shared Configuration
// Repository: Go runs a file's tests in their order, so the suggestion is made while the account has none.

// Codefresh keeps the first Shared Configuration Repository suggested (suggestIscRepo) and answers the
// account's repository from then on.
func TestRuntimeSetSharedConfigRepo(t *testing.T) {
	e := suite(t)

	t.Run("the suggestion becomes the repository of an account without one", func(t *testing.T) {
		cf := enterprise(t)
		me, err := cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		if repo := deref(me.ActiveAccount.SharedConfigRepo); repo != "" {
			t.Skipf("the ENTERPRISE account already has a Shared Configuration Repository (%s): run this test first", repo)
		}
		suggested := fmt.Sprintf("%s/%s/enterprise-isc.git", e.gitURL, e.gitOrg)
		repo, err := cf.GraphQL().Runtime().SetSharedConfigRepo(ctx(t), suggested)
		mustNoError(t, err, "Runtime().SetSharedConfigRepo")
		equal(t, "SetSharedConfigRepo", repo, suggested)
		me, err = cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "activeAccount.sharedConfigRepo", deref(me.ActiveAccount.SharedConfigRepo), suggested)

		again, err := cf.GraphQL().Runtime().SetSharedConfigRepo(ctx(t), fmt.Sprintf("%s/%s/another-isc.git", e.gitURL, e.gitOrg))
		mustNoError(t, err, "Runtime().SetSharedConfigRepo")
		equal(t, "SetSharedConfigRepo a second time", again, suggested)
	})

	t.Run("an account with a repository keeps it", func(t *testing.T) {
		cf := pro(t)
		isc := ensureIsc(t, cf)
		repo, err := cf.GraphQL().Runtime().SetSharedConfigRepo(ctx(t), fmt.Sprintf("%s/%s/suggested-isc.git", e.gitURL, e.gitOrg))
		mustNoError(t, err, "Runtime().SetSharedConfigRepo")
		equal(t, "SetSharedConfigRepo", repo, isc)
	})
}

// Codefresh stores the account's git provider, its API URL and the Shared Configuration Repository
// (updateCsdpSettings); a repository that is not https://host/owner/repo.git is refused.
func TestAccountUpdateCsdpSettings(t *testing.T) {
	e := suite(t)
	settingsOf := func(t *testing.T, me *platmodel.User) [3]string {
		return [3]string{string(deref(me.ActiveAccount.GitProvider)), deref(me.ActiveAccount.GitAPIURL), deref(me.ActiveAccount.SharedConfigRepo)}
	}

	t.Run("the account's settings, as set, are what the current user's account shows", func(t *testing.T) {
		cf := pro(t)
		isc := ensureIsc(t, cf)
		mustNoError(t, cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGithub, e.gitAPIURL, isc), "Account().UpdateCsdpSettings")
		me, err := cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "activeAccount {gitProvider, gitApiUrl, sharedConfigRepo}", settingsOf(t, me), [3]string{"GITHUB", e.gitAPIURL, isc})
	})

	t.Run("while no runtime has cloned it, the repository and provider can change", func(t *testing.T) {
		cf := enterprise(t)
		first := fmt.Sprintf("%s/%s/enterprise-settings-a.git", e.gitURL, e.gitOrg)
		mustNoError(t, cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGithub, e.gitAPIURL, first), "Account().UpdateCsdpSettings")
		me, err := cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "after the first update", settingsOf(t, me), [3]string{"GITHUB", e.gitAPIURL, first})

		second := "https://gitlab.example.com/platform/isc.git"
		mustNoError(t, cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGitlab, "https://gitlab.example.com/api/v4", second), "Account().UpdateCsdpSettings")
		me, err = cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "after the second update", settingsOf(t, me), [3]string{"GITLAB", "https://gitlab.example.com/api/v4", second})
	})

	t.Run("once a runtime has written to the repository, another one is refused", func(t *testing.T) {
		cf := pro(t)
		rt := newGitRuntime(t, cf, "settings-clone")
		createGitSource(t, rt, "probe", "probe") // its first write clones the repository
		err := cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGithub, e.gitAPIURL, fmt.Sprintf("%s/%s/other-isc.git", e.gitURL, e.gitOrg))
		mustErrorContaining(t, err, "cannot be changed")
		me, err := cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "activeAccount.sharedConfigRepo", deref(me.ActiveAccount.SharedConfigRepo), rt.isc)
	})

	t.Run("a repository that is not https://host/owner/repo.git is refused and changes nothing", func(t *testing.T) {
		cf := pro(t)
		isc := ensureIsc(t, cf)
		for _, repo := range []string{"not a url", "https://gitea.example.com/owner/repo"} {
			err := cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGithub, e.gitAPIURL, repo)
			if err == nil {
				t.Errorf("UpdateCsdpSettings(%q) succeeded, want an error", repo)
			}
		}
		me, err := cf.GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		equal(t, "activeAccount.sharedConfigRepo", deref(me.ActiveAccount.SharedConfigRepo), isc)
	})
}
