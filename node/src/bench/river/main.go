// River's side of make bench (node/src/test/java/io/octopusha/node/bench/ExternalPeer.java drives it).
//
//	river-bench migrate URL                  installs River's schema (rivermigrate, all the way up)
//	river-bench work URL WORKERS             a client working the default queue with WORKERS workers; prints
//	                                         "ready", then answers "report" on stdin with a "stats {...}" line
//	                                         and "reset" by counting afresh; stops at end of input
//	river-bench bulk URL COUNT               inserts COUNT jobs in one transaction (InsertManyFastTx), analyzed in it
//	river-bench stream URL RATE COUNT CLIENTS MEASURED SECONDS
//	                                         inserts COUNT jobs one at a time (Insert) at RATE per second, at most
//	                                         CLIENTS at once, stopping after SECONDS; prints "sent RATE_ACHIEVED COUNT_SENT"
//
// The job is a no-op. Its arguments say whether it is measured; a worker keeps the start latency of measured jobs,
// from the row's created_at (the inserting transaction's now()) to the start of Work. The client is configured as River's
// own benchmark (cmd/river/riverbench) configures it for throughput: FetchCooldown 2 ms, FetchPollInterval 20 ms.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

type NoopArgs struct {
	Measured bool `json:"m"`
}

func (NoopArgs) Kind() string { return "noop" }

type stats struct {
	mu              sync.Mutex
	started         int64
	firstStart      int64
	lastCompletion  int64
	completed       int64
	latenciesMicros []int64
}

type NoopWorker struct {
	river.WorkerDefaults[NoopArgs]
	stats *stats
}

func (w *NoopWorker) Work(ctx context.Context, job *river.Job[NoopArgs]) error {
	now := time.Now().UnixMicro()
	s := w.stats
	s.mu.Lock()
	if s.started == 0 {
		s.firstStart = now
	}
	s.started++
	if job.Args.Measured {
		// From the row's created_at, the inserting transaction's now() as for our queue_time, so that the wait of
		// the enqueueing client for a pooled connection is not counted, as it is not for ours.
		s.latenciesMicros = append(s.latenciesMicros, now-job.CreatedAt.UnixMicro())
	}
	s.mu.Unlock()
	return nil
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: river-bench migrate|work|bulk|stream URL ..."))
	}
	ctx := context.Background()
	url := os.Args[2]
	var err error
	switch os.Args[1] {
	case "migrate":
		err = migrate(ctx, url)
	case "work":
		err = work(ctx, url, atoi(3))
	case "bulk":
		err = bulk(ctx, url, atoi(3))
	case "stream":
		err = stream(ctx, url, atof(3), atoi(4), atoi(5), os.Args[6] == "true", time.Duration(atof(7)*float64(time.Second)))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func pool(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	config.MaxConns = maxConns
	return pgxpool.NewWithConfig(ctx, config)
}

func migrate(ctx context.Context, url string) error {
	p, err := pool(ctx, url, 2)
	if err != nil {
		return err
	}
	defer p.Close()
	migrator, err := rivermigrate.New(riverpgxv5.New(p), nil)
	if err != nil {
		return err
	}
	_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

func work(ctx context.Context, url string, workers int) error {
	// The same pool size as a db-scheduler peer's and a node's.
	p, err := pool(ctx, url, 10)
	if err != nil {
		return err
	}
	defer p.Close()
	s := &stats{}
	registry := river.NewWorkers()
	river.AddWorker(registry, &NoopWorker{stats: s})
	client, err := river.NewClient(riverpgxv5.New(p), &river.Config{
		FetchCooldown:     2 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		Workers:           registry,
	})
	if err != nil {
		return err
	}
	// Completion as River reports it: after its completer has written the job's state.
	events, cancel := client.SubscribeConfig(&river.SubscribeConfig{ChanSize: 100_000, Kinds: []river.EventKind{river.EventKindJobCompleted}})
	defer cancel()
	go func() {
		for range events {
			now := time.Now().UnixMicro()
			s.mu.Lock()
			s.completed++
			s.lastCompletion = now
			s.mu.Unlock()
		}
	}()
	if err := client.Start(ctx); err != nil {
		return err
	}
	fmt.Println("ready")
	commands := bufio.NewScanner(os.Stdin)
	for commands.Scan() {
		s.mu.Lock()
		switch commands.Text() {
		case "report":
			line, _ := json.Marshal(map[string]any{
				"started": s.started, "completed": s.completed, "firstStartMicros": s.firstStart,
				"lastCompletionMicros": s.lastCompletion, "latenciesMicros": s.latenciesMicros,
			})
			fmt.Println("stats " + string(line))
		case "reset":
			s.started, s.firstStart, s.lastCompletion, s.completed, s.latenciesMicros = 0, 0, 0, 0, nil
		}
		s.mu.Unlock()
	}
	stopCtx, stopCancel := context.WithTimeout(ctx, 10*time.Second)
	defer stopCancel()
	return client.Stop(stopCtx)
}

func bulk(ctx context.Context, url string, count int) error {
	p, err := pool(ctx, url, 2)
	if err != nil {
		return err
	}
	defer p.Close()
	client, err := river.NewClient(riverpgxv5.New(p), &river.Config{})
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, count)
	for i := range params {
		params[i] = river.InsertManyParams{Args: NoopArgs{}}
	}
	return pgx.BeginFunc(ctx, p, func(tx pgx.Tx) error {
		if _, err := client.InsertManyFastTx(ctx, tx, params); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "ANALYZE river_job")
		return err
	})
}

func stream(ctx context.Context, url string, rate float64, count, clients int, measured bool, limit time.Duration) error {
	// A pool of 10 connections, as the harness's own enqueueing client has, opened before the clock starts.
	p, err := pool(ctx, url, 10)
	if err != nil {
		return err
	}
	defer p.Close()
	var opened []*pgxpool.Conn
	for range 10 {
		c, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		opened = append(opened, c)
	}
	for _, c := range opened {
		c.Release()
	}
	client, err := river.NewClient(riverpgxv5.New(p), &river.Config{})
	if err != nil {
		return err
	}
	slots := make(chan struct{}, clients)
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	sent := 0
	for ; sent < count && time.Since(start) < limit; sent++ {
		due := start.Add(time.Duration(float64(sent) * float64(time.Second) / rate))
		if wait := time.Until(due); wait > 0 {
			time.Sleep(max(wait, time.Millisecond))
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if _, err := client.Insert(ctx, NoopArgs{Measured: measured}, nil); err != nil {
				failed.Store(err)
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return err
	}
	fmt.Printf("sent %.1f %d\n", float64(sent)/time.Since(start).Seconds(), sent)
	return nil
}

func atoi(i int) int {
	v, err := strconv.Atoi(os.Args[i])
	if err != nil {
		fail(err)
	}
	return v
}

func atof(i int) float64 {
	v, err := strconv.ParseFloat(os.Args[i], 64)
	if err != nil {
		fail(err)
	}
	return v
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "river-bench:", err)
	os.Exit(1)
}
