package logline

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
)

// TestConventionNamesALibraryOnlyOnItsSignature: a library is named only
// when the lines carry its signature, not merely its key names. Real
// output of look-alike libraries (level/message/timestamp is winston's
// shape, and apex/log's, go-logging's, JBoss's, Ruby logging's, and a
// renamed python-json-logger's) is "json"; the libraries themselves keep
// their names.
func TestConventionNamesALibraryOnlyOnItsSignature(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	cases := []struct{ file, want string }{
		{"incident2/logs/checkout.log", "json"}, // python-json-logger renamed to level/message/timestamp
		{"incident2/logs/gateway.log", "winston"},
		{"incident2/logs/inventory.log", "zap"},
		{"formats/winston.jsonl", "winston"},
		{"formats/zerolog.jsonl", "zerolog"},
		{"formats/zerolog-unixms.jsonl", "zerolog"},
		{"formats/logrus.jsonl", "logrus"},
		{"formats/zap.jsonl", "zap"},
		{"formats/zap-dev.jsonl", "zap"},
		{"formats/slog.jsonl", "slog"},
		{"formats/python-json-logger.jsonl", "python-json-logger"},
		{"libs/go-apexlog.log", "json"},       // level/timestamp/message, unsorted
		{"libs/go-golog.log", "json"},         // epoch timestamp, unsorted
		{"libs/java-jboss.log", "json"},       // INFO
		{"libs/ruby-logging.log", "json"},     // INFO
		{"libs/node-bole.log", "json"},        // time first
		{"libs/go-phuslu.log", "json"},        // time first
		{"libs/go-gommon.log", "json"},        // INFO, time first
		{"libs/go-charmlog.log", "json"},      // time first, unsorted
		{"libs/go-gokit.log", "json"},         // sorted, ts a string
		{"libs/php-monolog-json.log", "json"}, // level_name, not levelname
		{"libs/python-logzero.log", "python-json-logger"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(root, c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var sample [][]byte
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for len(sample) < 50 && sc.Scan() {
				sample = append(sample, append([]byte(nil), sc.Bytes()...))
			}
			m, err := Detect(sample, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Convention != c.want {
				t.Errorf("Convention = %q, want %q (mapping %v)", m.Convention, c.want, m.Fields())
			}
		})
	}
}
