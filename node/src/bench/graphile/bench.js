// Graphile Worker's side of make bench (node/src/test/java/io/octopusha/node/bench/ExternalPeer.java drives it).
//
//   node bench.js migrate URL                installs Graphile Worker's schema (runMigrations)
//   node bench.js work URL CONCURRENCY       a worker pool of CONCURRENCY jobs at once; prints "ready", then answers
//                                            "report" on stdin with a "stats {...}" line and "reset" by counting
//                                            afresh; stops gracefully at end of input
//   node bench.js bulk URL COUNT             COUNT jobs in one add_jobs call, analyzed in the same transaction
//   node bench.js stream URL RATE COUNT CLIENTS MEASURED SECONDS
//                                            COUNT addJob calls at RATE per second, at most CLIENTS at once,
//                                            stopping after SECONDS; prints "sent RATE_ACHIEVED COUNT_SENT"
//
// The job is a no-op. Its payload says whether it is measured; the worker keeps the start latency of measured jobs,
// from the row's created_at (add_job's now()) to the task's call. The pool is configured as the "Performance"
// page of Graphile Worker's documentation configures it for its figures: a local queue of 500, job completions and
// failures batched (delay 0), a pool of concurrency + 1 connections.
"use strict";
const readline = require("node:readline");
const { run, runMigrations, makeWorkerUtils } = require("graphile-worker");

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const { Logger } = require("graphile-worker");
const logger = new Logger((scope) => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile-worker ${level}: ${message}`);
});

async function main() {
  const [command, connectionString, ...rest] = process.argv.slice(2);
  switch (command) {
    case "migrate":
      return runMigrations({ connectionString, logger });
    case "work":
      return work(connectionString, Number(rest[0]));
    case "bulk":
      return bulk(connectionString, Number(rest[0]));
    case "stream":
      return stream(connectionString, Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3] === "true", Number(rest[4]));
    default:
      throw new Error("usage: node bench.js migrate|work|bulk|stream URL ...");
  }
}

async function work(connectionString, concurrency) {
  let stats = fresh();
  const runner = await run({
    connectionString,
    concurrency,
    maxPoolSize: concurrency + 1,
    noHandleSignals: true,
    logger,
    preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: {
      noop: async (payload, helpers) => {
        const now = nowMicros();
        if (stats.started === 0) stats.firstStartMicros = now;
        stats.started++;
        // From the row's created_at (add_job's now(), as for our queue_time, so that the enqueueing client's wait for
        // a pooled connection is not counted, as it is not for ours); node-postgres reads it to the millisecond.
        if (payload.m) stats.latenciesMicros.push(now - helpers.job.created_at.getTime() * 1000);
      },
    },
  });
  // Completion as the pool reports it: the task has returned and its completion is handed to the batch.
  runner.events.on("job:complete", ({ error }) => {
    if (error) return;
    stats.completed++;
    stats.lastCompletionMicros = nowMicros();
  });
  console.log("ready");
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line === "report") console.log("stats " + JSON.stringify(stats));
    if (line === "reset") stats = fresh();
  }
  await runner.stop();
}

function fresh() {
  return { started: 0, completed: 0, firstStartMicros: 0, lastCompletionMicros: 0, latenciesMicros: [] };
}

async function bulk(connectionString, count) {
  const utils = await makeWorkerUtils({ connectionString, logger });
  try {
    await utils.withPgClient(async (client) => {
      await client.query("begin");
      await client.query(
        "select count(*) from graphile_worker.add_jobs(array(" +
          "select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec" +
          " from generate_series(1, $1)))",
        [count],
      );
      await client.query("analyze graphile_worker._private_jobs");
      await client.query("commit");
    });
  } finally {
    await utils.release();
  }
}

async function stream(connectionString, rate, count, clients, measured, seconds) {
  // A pool of 10 connections, as the harness's own enqueueing client has, opened before the clock starts.
  const utils = await makeWorkerUtils({ connectionString, logger, maxPoolSize: 10 });
  await Promise.all(Array.from({ length: 10 }, () => utils.withPgClient((client) => client.query("select 1"))));
  let inFlight = 0;
  let failure = null;
  let wake = null;
  const start = performance.now();
  try {
    let sent = 0;
    for (; sent < count && performance.now() - start < seconds * 1000; sent++) {
      const wait = start + (sent * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 1)));
      while (inFlight >= clients) await new Promise((resolve) => (wake = resolve));
      inFlight++;
      utils
        .addJob("noop", { m: measured })
        .catch((e) => (failure = e))
        .finally(() => {
          inFlight--;
          if (wake) {
            const w = wake;
            wake = null;
            w();
          }
        });
    }
    while (inFlight > 0) await new Promise((resolve) => (wake = resolve));
    if (failure) throw failure;
    console.log(`sent ${((sent * 1000) / (performance.now() - start)).toFixed(1)} ${sent}`);
  } finally {
    await utils.release();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error("graphile-bench:", e);
    process.exit(1);
  },
);
