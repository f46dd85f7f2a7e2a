package accesslog

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

func TestAttemptRecord(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	tests := []struct {
		name       string
		typ        string
		a          model.AttemptRecord
		target     string
		elb, tgt   int
		rp, tp, sp float64
	}{
		{"completed request", "http", model.AttemptRecord{Target: 3, Arrived: at(10), Ended: at(12.5), Dispatched: true, Code: 200},
			"10.0.0.3:8080", 200, 200, 0, 2.5, 0},
		{"completed connection", "ws", model.AttemptRecord{Target: 300, Arrived: at(10), Ended: at(70), Dispatched: true, Code: 200},
			"10.0.1.44:8080", 101, 101, 0, 60, 0},
		{"no target", "http", model.AttemptRecord{Target: -1, Arrived: at(5), Ended: at(5), Failed: true, Cause: model.CauseNoTarget, Code: 503},
			"-", 503, 0, -1, -1, -1},
		{"refused", "http", model.AttemptRecord{Target: 1, Arrived: at(5), Ended: at(5), Failed: true, Cause: model.CauseRefused, Code: 502},
			"10.0.0.1:8080", 502, 0, -1, -1, -1},
		{"unreachable", "http", model.AttemptRecord{Target: 1, Arrived: at(5), Ended: at(15), Failed: true, Cause: model.CauseUnreachable, Code: 504},
			"10.0.0.1:8080", 504, 0, -1, -1, -1},
		{"cut in flight", "http", model.AttemptRecord{Target: 0, Arrived: at(5), Ended: at(65), Dispatched: true, Failed: true, Cause: model.CauseDelayExpired, Code: 502},
			"10.0.0.0:8080", 502, 0, 0, -1, -1},
		{"connection cut", "ws", model.AttemptRecord{Target: 70000, Arrived: at(5), Ended: at(65), Dispatched: true, Failed: true, Cause: model.CauseKilled},
			"10.1.17.112:8080", 101, 0, 0, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := attemptRecord(tt.a, epoch, tt.typ, "GET http://drainsim.example:80/api HTTP/1.1", 7)
			assert.Equal(t, tt.typ, rec.Type)
			assert.Equal(t, epoch.Add(tt.a.Ended), rec.Time)
			assert.Equal(t, epoch.Add(tt.a.Arrived), rec.RequestCreated)
			assert.Equal(t, tt.target, rec.Target)
			assert.Equal(t, tt.elb, rec.ELBStatus)
			assert.Equal(t, tt.tgt, rec.TargetStatus)
			assert.Equal(t, [3]float64{tt.rp, tt.tp, tt.sp}, [3]float64{rec.RequestProcessing, rec.TargetProcessing, rec.ResponseProcessing})

			// The line reads back, with a duration only when it completed.
			var buf bytes.Buffer
			require.NoError(t, NewWriter(&buf).Write(rec))
			_, err := Parse(&buf, "line", func(e Entry) error {
				d, ok := e.Duration()
				assert.Equal(t, !tt.a.Failed, ok)
				if ok {
					assert.InDelta(t, (tt.a.Ended - tt.a.Arrived).Seconds(), d, 1e-6)
				}
				return nil
			})
			require.NoError(t, err)
		})
	}
}
