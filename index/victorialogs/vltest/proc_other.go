//go:build !linux

package vltest

import "os/exec"

// setProcAttr does nothing where the kernel cannot tie the server's life to
// the test's; cleanup kills it.
func setProcAttr(*exec.Cmd) {}
