package victorialogs

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Environment variables that give basic-auth credentials when the store
// URL has none.
const (
	EnvUser     = "CULPRIT_VL_USER"
	EnvPassword = "CULPRIT_VL_PASSWORD"
)

// Config is where a store is and how to reach it.
type Config struct {
	// Base is the server's base URL (scheme, host, optional path prefix).
	Base *url.URL
	// User and Password are basic-auth credentials ("" for none).
	User, Password string
	// AccountID and ProjectID select the tenant ("" for the default).
	AccountID, ProjectID string
}

// ParseURL reads a store URL:
//
//	victorialogs://host:port                  plain HTTP
//	victorialogs+http://host:port             the same
//	victorialogs+https://user:pass@host/path  HTTPS, basic auth, path prefix
//	victorialogs://host?AccountID=1&ProjectID=2   a tenant
//
// Credentials missing from the URL are taken from CULPRIT_VL_USER and
// CULPRIT_VL_PASSWORD.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, password included: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Config{}, fmt.Errorf("store url: %w", err)
	}
	given := raw // as the user wrote it, before the scheme is rewritten
	if _, ok := u.User.Password(); ok {
		given = redact(u)
	}
	var c Config
	switch u.Scheme {
	case "victorialogs", "victorialogs+http":
		u.Scheme = "http"
	case "victorialogs+https":
		u.Scheme = "https"
	default:
		return Config{}, fmt.Errorf("store url %q: want victorialogs://, victorialogs+http:// or victorialogs+https://", redact(u))
	}
	if u.Host == "" {
		return Config{}, fmt.Errorf("store url %q: no host", given)
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
		u.User = nil
	}
	if c.User == "" {
		c.User = os.Getenv(EnvUser)
	}
	if c.Password == "" {
		c.Password = os.Getenv(EnvPassword)
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "AccountID", "ProjectID":
			v := q.Get(k)
			if _, err := strconv.ParseUint(v, 10, 32); err != nil {
				return Config{}, fmt.Errorf("store url: %s=%q: want a number", k, v)
			}
			if k == "AccountID" {
				c.AccountID = v
			} else {
				c.ProjectID = v
			}
		default:
			return Config{}, fmt.Errorf("store url: unknown parameter %q (want AccountID, ProjectID)", k)
		}
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	c.Base = u
	return c, nil
}

// redact returns u without its password, for messages.
func redact(u *url.URL) string {
	return u.Redacted()
}

// errClosed is returned by a Sink used after Close.
var errClosed = errors.New("victorialogs: sink closed")
