package victorialogs

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	t.Setenv(EnvUser, "")
	t.Setenv(EnvPassword, "")
	cases := []struct {
		in, base, user, pass, account, project string
	}{
		{in: "victorialogs://vlogs.internal:9428", base: "http://vlogs.internal:9428"},
		{in: "victorialogs+http://127.0.0.1:9428/", base: "http://127.0.0.1:9428"},
		{in: "victorialogs+https://u:p%40ss@vlogs.example.com/logs", base: "https://vlogs.example.com/logs", user: "u", pass: "p@ss"},
		{in: "victorialogs://h:1?AccountID=12&ProjectID=3", base: "http://h:1", account: "12", project: "3"},
	}
	for _, c := range cases {
		got, err := ParseURL(c.in)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.in, err)
			continue
		}
		if got.Base.String() != c.base || got.User != c.user || got.Password != c.pass || got.AccountID != c.account || got.ProjectID != c.project {
			t.Errorf("ParseURL(%q) = %s user %q pass %q tenant %q/%q, want %s %q %q %q/%q", c.in,
				got.Base, got.User, got.Password, got.AccountID, got.ProjectID, c.base, c.user, c.pass, c.account, c.project)
		}
	}
	for in, want := range map[string]string{
		"http://h:9428":                      "want victorialogs://",
		"victorialogs://":                    `"victorialogs://": no host`,
		"victorialogs://h?AccountID=x":       "want a number",
		"victorialogs://h?tenant=1":          "unknown parameter",
		"victorialogs+https://u:secret@h:%%": "store url",
	} {
		_, err := ParseURL(in)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q) error = %v, want one saying %q without the password", in, err, want)
		}
	}
}

func TestParseURLCredentialsFromEnv(t *testing.T) {
	t.Setenv(EnvUser, "env-user")
	t.Setenv(EnvPassword, "env-pass")
	got, err := ParseURL("victorialogs+https://vlogs.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.User != "env-user" || got.Password != "env-pass" {
		t.Errorf("credentials %q/%q, want the environment's", got.User, got.Password)
	}
	got, err = ParseURL("victorialogs+https://url-user:url-pass@vlogs.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.User != "url-user" || got.Password != "url-pass" {
		t.Errorf("credentials %q/%q, want the URL's over the environment's", got.User, got.Password)
	}
}
