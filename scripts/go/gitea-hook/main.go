// gitea-hook is a small client for the pre- and post-receive hooks of the local Gitea. Gitea's own hooks run
// `gitea hook pre-receive|post-receive`, which starts the whole 100 MB Gitea binary (~100 ms of CPU each, twice per
// push) only to read the pushed refs from stdin and send them to Gitea's internal hook API. This sends the same
// requests (cmd/hook.go and modules/private of Gitea v1.26): Gitea's server still checks every push (branch
// protection, quotas) and keeps its own data (branches, sizes, commit counts) current; only the process start is
// saved.
//
//	gitea-hook --url https://127.0.0.1:PORT/ --token-file FILE pre-receive|post-receive
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Gitea sends the refs of a push in batches of this size (cmd/hook.go, hookBatchSize).
const batchSize = 30

// hookOptions is Gitea's private.HookOptions, field for field as its JSON encoding names them.
type hookOptions struct {
	OldCommitIDs                    []string
	NewCommitIDs                    []string
	RefFullNames                    []string
	UserID                          int64
	UserName                        string
	GitObjectDirectory              string
	GitAlternativeObjectDirectories string
	GitQuarantinePath               string
	GitPushOptions                  map[string]string
	PullRequestID                   int64
	PushTrigger                     string
	DeployKeyID                     int64
	IsWiki                          bool
	ActionsTaskID                   int64
}

type postReceiveResult struct {
	Results []struct {
		Message, Create bool
		Branch, URL     string
	}
	RepoWasEmpty bool
}

type client struct {
	base  string
	token string
	http  *http.Client
}

func main() {
	base := flag.String("url", "", "Gitea's local root URL (LOCAL_ROOT_URL)")
	tokenFile := flag.String("token-file", "", "the file that holds Gitea's INTERNAL_TOKEN (INTERNAL_TOKEN_URI)")
	flag.Parse()
	if *base == "" || *tokenFile == "" || flag.NArg() != 1 {
		fail("usage: gitea-hook --url URL --token-file FILE pre-receive|post-receive")
	}
	token, err := os.ReadFile(*tokenFile)
	if err != nil {
		fail("reading the internal token: %v", err)
	}
	c := &client{
		base:  strings.TrimSuffix(*base, "/") + "/",
		token: strings.TrimSpace(string(token)),
		// Gitea's own hook client skips verification of its loopback certificate too (modules/private/request.go).
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
	}
	switch flag.Arg(0) {
	case "pre-receive":
		err = c.preReceive(os.Stdin)
	case "post-receive":
		err = c.postReceive(os.Stdin)
	default:
		err = fmt.Errorf("unknown hook %q", flag.Arg(0))
	}
	if err != nil {
		fail("%v", err)
	}
}

// fail writes as Gitea's hooks do (cmd/serv.go, fail: the message between "error:" lines on stderr, which git
// relays to the pusher) and exits 1.
func fail(format string, args ...any) {
	fmt.Fprintln(os.Stdout, "")
	fmt.Fprintf(os.Stderr, "error:\nerror: "+format+"\nerror:\n", args...)
	os.Exit(1)
}

func envBool(name string) bool {
	value, _ := strconv.ParseBool(os.Getenv(name))
	return value
}

func envInt(name string) int64 {
	value, _ := strconv.ParseInt(os.Getenv(name), 10, 64)
	return value
}

// checkEnvironment mirrors the start of Gitea's hooks: its own pushes are not checked again, and a push that did
// not come through Gitea (no SSH_ORIGINAL_COMMAND) is refused (OnlyAllowPushIfGiteaEnvironmentSet, on by default).
func checkEnvironment() (skip bool, err error) {
	if envBool("GITEA_INTERNAL_PUSH") {
		return true, nil
	}
	if os.Getenv("SSH_ORIGINAL_COMMAND") == "" {
		return false, errors.New("Rejecting changes as Gitea environment not set.")
	}
	return false, nil
}

func pushOptions() map[string]string {
	options := map[string]string{}
	count, _ := strconv.Atoi(os.Getenv("GIT_PUSH_OPTION_COUNT"))
	for i := 0; i < count; i++ {
		if key, value, ok := strings.Cut(os.Getenv(fmt.Sprintf("GIT_PUSH_OPTION_%d", i)), "="); ok {
			options[key] = value
		}
	}
	return options
}

// gitEnvironment is what both of Gitea's hooks read from the environment that Gitea's serv or HTTP handler set
// for git (cmd/hook.go); preReceiveOptions and postReceiveOptions add what only one of them sends.
func gitEnvironment() hookOptions {
	return hookOptions{
		UserID:                          envInt("GITEA_PUSHER_ID"),
		GitAlternativeObjectDirectories: os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"),
		GitObjectDirectory:              os.Getenv("GIT_OBJECT_DIRECTORY"),
		GitQuarantinePath:               os.Getenv("GIT_QUARANTINE_PATH"),
		GitPushOptions:                  pushOptions(),
		PullRequestID:                   envInt("GITEA_PR_ID"),
		IsWiki:                          envBool("GITEA_REPO_IS_WIKI"),
	}
}

func preReceiveOptions() hookOptions {
	options := gitEnvironment()
	options.DeployKeyID = envInt("GITEA_DEPLOY_KEY_ID")
	options.ActionsTaskID = envInt("GITEA_ACTIONS_TASK_ID")
	return options
}

func postReceiveOptions() hookOptions {
	options := gitEnvironment()
	options.UserName = os.Getenv("GITEA_PUSHER_NAME")
	options.PushTrigger = os.Getenv("GITEA_PUSH_TRIGGER")
	return options
}

// batches reads git's "<old> <new> <ref>" lines and calls send with each batch of at most batchSize refs.
func batches(stdin io.Reader, send func(old, new, refs []string) error) error {
	var old, new, refs []string
	scanner := bufio.NewScanner(stdin)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), " ")
		if len(fields) != 3 {
			continue
		}
		old, new, refs = append(old, fields[0]), append(new, fields[1]), append(refs, fields[2])
		if len(refs) == batchSize {
			if err := send(old, new, refs); err != nil {
				return err
			}
			old, new, refs = nil, nil, nil
		}
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	if len(refs) > 0 {
		return send(old, new, refs)
	}
	return nil
}

// clientIP is the pusher's address as Gitea's hooks report it: SSH's client, else loopback (HTTP pushes).
func clientIP() string {
	if fields := strings.Fields(os.Getenv("SSH_CONNECTION")); len(fields) > 0 {
		return fields[0]
	}
	return "127.0.0.1"
}

func repoPath(kind string, extra ...string) string {
	parts := []string{"api/internal/hook", kind, url.PathEscape(os.Getenv("GITEA_REPO_USER_NAME")), url.PathEscape(os.Getenv("GITEA_REPO_NAME"))}
	for _, part := range extra {
		parts = append(parts, url.PathEscape(part))
	}
	return strings.Join(parts, "/")
}

// post sends one internal API request as Gitea's hooks do and decodes a 200 answer into result (when not nil).
func (c *client) post(path string, body any, result any) error {
	var payload io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(data)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("X-Real-IP", clientIP())
	req.Header.Set("X-Gitea-Internal-Auth", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("unable to contact gitea: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		// Gitea's internal errors are {"err": ..., "user_msg": ...}; the pusher sees user_msg.
		var answer struct {
			Err     string `json:"err"`
			UserMsg string `json:"user_msg"`
		}
		_ = json.Unmarshal(data, &answer)
		if answer.UserMsg != "" {
			return errors.New(answer.UserMsg)
		}
		return fmt.Errorf("internal API %s answered %d: %s", path, resp.StatusCode, strings.TrimSpace(answer.Err+" "+string(data)))
	}
	if result != nil {
		return json.Unmarshal(data, result)
	}
	return nil
}

func (c *client) preReceive(stdin io.Reader) error {
	if skip, err := checkEnvironment(); skip || err != nil {
		return err
	}
	opts := preReceiveOptions()
	return batches(stdin, func(old, new, refs []string) error {
		if opts.IsWiki {
			return nil
		}
		opts.OldCommitIDs, opts.NewCommitIDs, opts.RefFullNames = old, new, refs
		return c.post(repoPath("pre-receive"), opts, nil)
	})
}

func (c *client) postReceive(stdin io.Reader) error {
	// Gitea runs this first, for every push, its own included (dumb HTTP clients read what it writes).
	if out, err := exec.Command("git", "update-server-info").CombinedOutput(); err != nil {
		return fmt.Errorf("failed to call 'git update-server-info': %v: %s", err, out)
	}
	if skip, err := checkEnvironment(); skip || err != nil {
		return err
	}
	opts := postReceiveOptions()
	wasEmpty, masterPushed, first := false, false, true
	var results []postReceiveResult
	err := batches(stdin, func(old, new, refs []string) error {
		if opts.IsWiki {
			return nil
		}
		// As Gitea's hook: master created within the first batch becomes the default branch of an empty repository.
		if first {
			for i := range refs {
				masterPushed = masterPushed || (refs[i] == "refs/heads/master" && strings.Trim(new[i], "0") != "")
			}
			first = false
		}
		opts.OldCommitIDs, opts.NewCommitIDs, opts.RefFullNames = old, new, refs
		var result postReceiveResult
		if err := c.post(repoPath("post-receive"), opts, &result); err != nil {
			return err
		}
		wasEmpty = wasEmpty || result.RepoWasEmpty
		results = append(results, result)
		return nil
	})
	if err != nil {
		return err
	}
	if wasEmpty && masterPushed {
		if err := c.post(repoPath("set-default-branch", "master"), nil, nil); err != nil {
			return err
		}
	}
	for _, result := range results {
		for _, branch := range result.Results {
			if !branch.Message {
				continue
			}
			if branch.Create {
				fmt.Fprintf(os.Stderr, "\nCreate a new pull request for '%s':\n  %s\n\n", branch.Branch, branch.URL)
			} else {
				fmt.Fprintf(os.Stderr, "\nVisit the existing pull request:\n  %s\n\n", branch.URL)
			}
		}
	}
	return nil
}
