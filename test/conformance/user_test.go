package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/codefresh-io/go-sdk/pkg/client"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// Codefresh answers the key's user (an admin of the account) and its active account, with the account's
// git settings and, unless the plan is ENTERPRISE, GitOps plan enforcement.
func TestUserGetCurrent(t *testing.T) {
	cf := pro(t)
	isc := ensureIsc(t, cf)
	me, err := cf.GraphQL().User().GetCurrent(ctx(t))
	mustNoError(t, err, "User().GetCurrent")
	if me.ID == "" || me.Name == "" || !strings.Contains(me.Email, "@") {
		t.Errorf("user {id %q, name %q, email %q}: want all three set", me.ID, me.Name, me.Email)
	}
	equal(t, "isAdmin", deref(me.IsAdmin), true)
	active := me.ActiveAccount
	if active == nil || active.ID == "" || deref(active.Name) == "" {
		t.Fatalf("activeAccount %+v: want an id and a name", active)
	}
	if !slices.ContainsFunc(me.Accounts, func(a *platmodel.Account) bool { return a.ID == active.ID && deref(a.Name) == deref(active.Name) }) {
		t.Errorf("accounts %v do not hold the active account %s", me.Accounts, active.ID)
	}
	if !slices.Contains(active.Admins, me.ID) || !me.IsActiveAccountAdmin() {
		t.Errorf("activeAccount.admins %v: want the user %s", active.Admins, me.ID)
	}
	equal(t, "activeAccount.gitProvider", deref(active.GitProvider), platmodel.GitProvidersGithub)
	equal(t, "activeAccount.gitApiUrl", deref(active.GitAPIURL), suite(t).gitAPIURL)
	equal(t, "activeAccount.sharedConfigRepo", deref(active.SharedConfigRepo), isc)
	if active.Features == nil {
		t.Fatal("activeAccount.features is null")
	}
	equal(t, "PRO features.gitopsPlanEnforcement", deref(active.Features.GitopsPlanEnforcement), true)

	t.Run("an ENTERPRISE account is another account, without plan enforcement", func(t *testing.T) {
		other, err := enterprise(t).GraphQL().User().GetCurrent(ctx(t))
		mustNoError(t, err, "User().GetCurrent")
		if other.ActiveAccount == nil || other.ActiveAccount.ID == active.ID {
			t.Fatalf("ENTERPRISE activeAccount %+v: want an account other than %s", other.ActiveAccount, active.ID)
		}
		if other.ActiveAccount.Features == nil {
			t.Fatal("activeAccount.features is null")
		}
		equal(t, "ENTERPRISE features.gitopsPlanEnforcement", deref(other.ActiveAccount.Features.GitopsPlanEnforcement), false)
	})
}

// Codefresh's REST GET /api/user answers the same user and its accounts, the active one by name.
func TestRestUserGetCurrent(t *testing.T) {
	cf := pro(t)
	me, err := cf.GraphQL().User().GetCurrent(ctx(t))
	mustNoError(t, err, "User().GetCurrent")
	user, err := cf.Rest().User().GetCurrent(ctx(t))
	mustNoError(t, err, "Rest().User().GetCurrent")
	equal(t, "_id", user.ID, me.ID)
	equal(t, "userName", user.Name, "admin")
	equal(t, "email", user.Email, me.Email)
	equal(t, "activeAccountName", user.ActiveAccountName, deref(me.ActiveAccount.Name))
	active := user.GetActiveAccount()
	if active == nil {
		t.Fatalf("GetActiveAccount() is nil: accounts %+v, activeAccountName %q", user.Accounts, user.ActiveAccountName)
	}
	equal(t, "active account _id", active.ID, me.ActiveAccount.ID)
}

// Codefresh answers a request with a wrong or no key with HTTP 401, which the SDK returns as its
// *client.ApiError, on the platform's GraphQL, on REST and when finding a runtime's app-proxy.
func TestApiErrorForWrongOrEmptyKey(t *testing.T) {
	e := suite(t)
	for _, tc := range []struct{ name, key string }{{"a wrong key", "not-a-codefresh-key"}, {"an empty key", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			cf := newClient(e.apiURL, tc.key)
			_, gqlErr := cf.GraphQL().User().GetCurrent(ctx(t))
			_, restErr := cf.Rest().User().GetCurrent(ctx(t))
			_, apErr := cf.AppProxy(ctx(t), "any-runtime", false)
			for _, call := range []struct {
				what string
				err  error
			}{{"GraphQL User().GetCurrent", gqlErr}, {"Rest().User().GetCurrent", restErr}, {"AppProxy", apErr}} {
				var apiErr *client.ApiError
				if !errors.As(call.err, &apiErr) {
					t.Errorf("%s: error %v (%T), want a *client.ApiError", call.what, call.err, call.err)
					continue
				}
				if !strings.HasPrefix(apiErr.Error(), "API error: 401") {
					t.Errorf("%s: %q, want \"API error: 401 Unauthorized: ...\"", call.what, apiErr.Error())
				}
			}
		})
	}
}
