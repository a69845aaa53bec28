"""Default values for every setting, in one place (the model is rq's defaults.py)."""

INBOX = "./inbox"
DATA_DIR = "./data"
BROKER_URL = ""                     # empty: embedded, in-process
QUEUE = "ingest"
MAX_DUMP_BYTES = 20 * 1024 * 1024   # a dump larger than this fails with a clear reason
TASK_TIME_LIMIT = 300               # seconds one dump may take before the worker kills it
VISIBILITY_TIMEOUT = 3600           # Redis re-delivers an unacked task after this; > any task
SETTLE_SECONDS = 5.0                # the watcher takes a closed file once its size is stable this long
RESCAN_SECONDS = 30.0               # the watcher rescans the inbox and re-sends stranded dumps this often
RUN_TIMEOUT = 0                     # `ingest run` waits forever for the workers when 0
NEAR_DUP_THRESHOLD = 1.0            # containment + Jaccard of two texts' 5-grams (rule 1 of tasks/stages/dedup/verdict.py)
MAX_ATTEMPTS = 3                    # a dump whose worker crashed this many times ends failed
EMBEDDED_PROCESSES = 0              # processes an embedded `ingest run` prepares dumps in; 0: one per CPU
REAP_INTERVAL = 15.0                # how often each worker takes back expired leases and lost dumps
STORY_CACHE = 1024                  # stories a worker process keeps decoded (~30 KB each, 70 KB at most: ~72 MB)
EMBEDDED_STORY_CACHE = 4096         # ... each process of an embedded `ingest run`: one batch job, memory for speed
WORKER_MAX_MEMORY_MB = 500          # a worker's pool process whose resident memory passed this is replaced after its task

# Operations (metrics, health, logs)
LOG_FORMAT = "text"                 # text | json (one JSON object per line)
HEARTBEAT_SECONDS = 10.0            # how often the worker and the watcher touch their heartbeat file
HEARTBEAT_MAX_AGE = 60.0            # `ingest health` fails when a heartbeat is older than this
MAX_QUEUED_AGE = 1800.0             # `ingest health` fails when a dump has been queued longer than this
SOFT_LIMIT_SHARE = 0.9              # the soft time limit is this share of INGEST_TASK_TIME_LIMIT (and >= 1 s before it)

# Topics
TOPICS_ADAPT = True                 # `ingest run` self-trains a topic model on the store's confident labels
TOPICS_ADAPT_MIN = 500              # ... once it holds this many of them (tasks/stages/topics/adapted.py)
