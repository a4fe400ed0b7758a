-- run.db: everything a run did, keyed by (iteration, stage, item) so a resumed run redoes nothing.
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- The held-out prompts: removed from the pool before sampling, never red-teamed or trained on.
CREATE TABLE IF NOT EXISTS heldout (
  prompt_id  TEXT PRIMARY KEY,
  position   INTEGER NOT NULL,
  text       TEXT NOT NULL,
  transcript TEXT,
  source     TEXT NOT NULL
);
-- The red-team slice of each iteration.
CREATE TABLE IF NOT EXISTS prompts (
  iteration  INTEGER NOT NULL,
  position   INTEGER NOT NULL,
  prompt_id  TEXT NOT NULL,
  text       TEXT NOT NULL,
  transcript TEXT,
  source     TEXT NOT NULL,
  PRIMARY KEY (iteration, prompt_id)
);
CREATE TABLE IF NOT EXISTS responses (
  iteration     INTEGER NOT NULL,
  prompt_id     TEXT NOT NULL,
  model         TEXT NOT NULL,
  text          TEXT NOT NULL,
  finish_reason TEXT,
  PRIMARY KEY (iteration, prompt_id)
);
-- subject: 'response' (red-team answer) or 'revision' (answer after self-reflection).
CREATE TABLE IF NOT EXISTS verdicts (
  iteration INTEGER NOT NULL,
  subject   TEXT NOT NULL CHECK (subject IN ('response', 'revision')),
  prompt_id TEXT NOT NULL,
  verdict   TEXT NOT NULL CHECK (verdict IN ('positive', 'negative', 'unparsed')),
  raw       TEXT NOT NULL,
  attempts  INTEGER NOT NULL,
  PRIMARY KEY (iteration, subject, prompt_id)
);
CREATE TABLE IF NOT EXISTS proposals (
  iteration  INTEGER PRIMARY KEY,
  raw        TEXT NOT NULL,
  principles TEXT NOT NULL,   -- JSON list of the principles parsed from raw
  case_ids   TEXT NOT NULL    -- JSON list of the negative prompt ids shown to the oracle
);
-- Derived from proposals by the constitution library (merging near-duplicates); rewritten after each proposal.
CREATE TABLE IF NOT EXISTS constitutions (
  id              TEXT PRIMARY KEY,
  text            TEXT NOT NULL,
  first_iteration INTEGER NOT NULL,
  times_proposed  INTEGER NOT NULL,
  case_ids        TEXT NOT NULL  -- JSON list of every red-team prompt id behind it
);
CREATE TABLE IF NOT EXISTS revisions (
  iteration     INTEGER NOT NULL,
  prompt_id     TEXT NOT NULL,
  model         TEXT NOT NULL,
  text          TEXT NOT NULL,
  finish_reason TEXT,
  principles    TEXT NOT NULL,  -- JSON list of the principle texts in the prompt
  PRIMARY KEY (iteration, prompt_id)
);
CREATE TABLE IF NOT EXISTS sft_examples (
  iteration INTEGER NOT NULL,
  prompt_id TEXT NOT NULL,
  prompt    TEXT NOT NULL,
  response  TEXT NOT NULL,
  PRIMARY KEY (iteration, prompt_id)
);
-- Model lineage: which model each iteration red-teamed, and what produced the next one.
CREATE TABLE IF NOT EXISTS models (
  iteration INTEGER PRIMARY KEY,
  model     TEXT NOT NULL,
  parent    TEXT,
  trainer   TEXT NOT NULL,
  note      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stages (
  iteration   INTEGER NOT NULL,
  stage       TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  PRIMARY KEY (iteration, stage)
);
-- Content-addressed model-call cache: one row per call actually sent to a backend.
CREATE TABLE IF NOT EXISTS llm_calls (
  key               TEXT PRIMARY KEY,
  role              TEXT NOT NULL,
  model             TEXT NOT NULL,
  request           TEXT NOT NULL,
  response          TEXT NOT NULL,
  finish_reason     TEXT,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  created_at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
-- Evaluation results: the starting model is iteration 0; a suite's row is written when it finishes.
CREATE TABLE IF NOT EXISTS evaluations (
  iteration INTEGER NOT NULL,
  suite     TEXT NOT NULL,
  model     TEXT NOT NULL,
  result    TEXT NOT NULL,  -- the suite's entry of eval.json: n, mode, metrics, ci95
  PRIMARY KEY (iteration, suite)
);
-- Training progress of trainers that report it (embedded-lora), for loss curves in the report.
CREATE TABLE IF NOT EXISTS training_metrics (
  iteration         INTEGER NOT NULL,
  step              INTEGER NOT NULL,
  epoch             REAL NOT NULL,
  loss              REAL NOT NULL,
  learning_rate     REAL NOT NULL,
  tokens_per_second REAL NOT NULL,
  PRIMARY KEY (iteration, step)
);
-- What a trainer must remember across a restart, per iteration: the OpenAI trainer's uploaded file and job ids (so
-- a resumed run polls the same job instead of paying for a second one), the command trainer's finished exit.
CREATE TABLE IF NOT EXISTS trainer_state (
  iteration INTEGER NOT NULL,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (iteration, key)
);
-- Batch API jobs paid for and not yet collected (the file is recorded once uploaded, the job once created), so a
-- restarted process polls the same job instead of paying twice; a row is deleted once its answers are handed on.
CREATE TABLE IF NOT EXISTS remote_batches (
  key           TEXT PRIMARY KEY,  -- SHA-256 of the API and the request file
  api           TEXT NOT NULL,
  input_file_id TEXT NOT NULL,
  batch_id      TEXT,              -- NULL between upload and creation
  requests      INTEGER NOT NULL,
  created_at    TEXT NOT NULL
);
