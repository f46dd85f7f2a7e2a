package awsimport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// motoURL is the endpoint of the moto_server TestMain started; empty if
// moto_server is absent (then the moto-backed tests skip, outside CI).
var motoURL string

// TestMain starts moto_server on a free loopback port for the tests that
// talk to a real AWS API server, and stops it at the end. Without
// moto_server on PATH it fails under CI (CI set) and otherwise lets those
// tests skip.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "awsimport: moto_server is not on PATH, and CI is set: the AWS import tests must run in CI (pip install 'moto[server]')")
			return 1
		}
		return m.Run()
	}
	port, err := freePort()
	if err != nil {
		fmt.Fprintln(os.Stderr, "awsimport: no free port:", err)
		return 1
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", port)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "awsimport: starting moto_server:", err)
		return 1
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	u := "http://127.0.0.1:" + port
	if err := waitFor(u+"/moto-api/", 60*time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "awsimport: moto_server did not answer: %v\n%s", err, logs.String())
		return 1
	}
	motoURL = u
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            u,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		os.Setenv(k, v)
	}
	return m.Run()
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func waitFor(u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// needMoto skips a test when moto_server is absent (never in CI: TestMain
// fails there first).
func needMoto(t *testing.T) {
	t.Helper()
	if motoURL == "" {
		t.Skip("moto_server is not on PATH: skipping the tests against a real AWS API server (pip install 'moto[server]'; CI runs them)")
	}
}

// ec2Call makes one EC2 Query API call to moto, signed with the SDK's
// SigV4 signer (the ec2 client is not needed by drainsim itself, and it is
// the SDK's largest package to compile), and decodes the response into out.
func ec2Call(t *testing.T, params url.Values, out any) {
	t.Helper()
	params.Set("Version", "2016-11-15")
	body := params.Encode()
	req, err := http.NewRequest(http.MethodPost, motoURL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ec2", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ec2 %s: %s: %s", params.Get("Action"), resp.Status, data)
	}
	if err := xml.Unmarshal(data, out); err != nil {
		t.Fatalf("ec2 %s: %v: %s", params.Get("Action"), err, data)
	}
}

// vpc creates a VPC with a subnet in each of two zones and returns the
// VPC id and subnet ids.
func vpc(t *testing.T) (string, []string) {
	t.Helper()
	var v struct {
		ID string `xml:"vpc>vpcId"`
	}
	ec2Call(t, url.Values{"Action": {"CreateVpc"}, "CidrBlock": {"10.0.0.0/16"}}, &v)
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		var s struct {
			ID string `xml:"subnet>subnetId"`
		}
		ec2Call(t, url.Values{"Action": {"CreateSubnet"}, "VpcId": {v.ID}, "CidrBlock": {fmt.Sprintf("10.0.%d.0/24", i)}, "AvailabilityZone": {az}}, &s)
		subnets = append(subnets, s.ID)
	}
	return v.ID, subnets
}

// fixtures answers the calls moto does not implement from recorded
// responses in AWS's documented Query format (testdata/), and passes
// everything else to moto.
type fixtures struct {
	next http.RoundTripper
	// group and times fill describe-scaling-activities.xml.
	group                string
	t1, t2, t3, old      time.Time
	start                time.Time
	tgDim                string             // the target group whose percentiles are served
	percentiles          map[string]float64 // "p50" → seconds
	activities, pctCalls int
}

func (f *fixtures) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	form, _ := url.ParseQuery(string(body))
	switch form.Get("Action") {
	case "DescribeScalingActivities":
		// moto 5 answers every DescribeScalingActivities with no activities.
		f.activities++
		return f.render(req, "describe-scaling-activities.xml", map[string]string{
			"Group": f.group, "T1": iso(f.t1), "T2": iso(f.t2), "T3": iso(f.t3), "Old": iso(f.old),
		})
	case "GetMetricData":
		// moto 5 computes no percentile statistics (its GetMetricData
		// knows Sum, Average, Minimum, Maximum and SampleCount only).
		stat := form.Get("MetricDataQueries.member.1.MetricStat.Stat")
		if v, ok := f.percentiles[stat]; ok && form.Get("MetricDataQueries.member.1.MetricStat.Metric.MetricName") == "TargetResponseTime" && strings.Contains(string(body), url.QueryEscape(f.tgDim)) {
			f.pctCalls++
			return f.render(req, "get-metric-data-percentile.xml", map[string]string{
				"Start": iso(f.start), "Value": fmt.Sprintf("%.6f", v),
			})
		}
	}
	return f.next.RoundTrip(req)
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (f *fixtures) render(req *http.Request, name string, data any) (*http.Response, error) {
	tpl, err := template.ParseFiles("testdata/" + name)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, data); err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/xml"}},
		Body:          io.NopCloser(&b),
		ContentLength: int64(b.Len()),
		Request:       req,
	}, nil
}
