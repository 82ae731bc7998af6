"""Table definitions for the two DuckDB files, as ordered migrations.

The warehouse (samples, overdose events, loads) is written only by the ETL; the
app file (accounts, community alerts, audit) only by the app. Each list is applied
in order and the number applied is stored in ``meta.schema_version``, so an older
file is upgraded in place by running the migrations it has not seen yet.
Never edit a migration that has shipped: append a new one.
"""

META = """
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
"""

WAREHOUSE_MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE substances (
        substance  VARCHAR PRIMARY KEY,   -- canonical name, lower case, e.g. 'fentanyl'
        class      VARCHAR NOT NULL,      -- class slug, see supplywatch.classes
        high_risk  BOOLEAN NOT NULL DEFAULT false,
        synonyms   VARCHAR[]              -- raw names that map here, as written in sources
    );
    CREATE TABLE substance_names (
        name_key       VARCHAR PRIMARY KEY,  -- etl.substances.name_key(raw): lower case, trimmed, no trace marker
        substance      VARCHAR,              -- NULL for placeholders
        is_placeholder BOOLEAN NOT NULL DEFAULT false
    );
    CREATE SEQUENCE load_run_ids START 1;
    CREATE TABLE load_runs (
        run_id        INTEGER PRIMARY KEY DEFAULT nextval('load_run_ids'),
        file_name     VARCHAR NOT NULL,
        file_path     VARCHAR,
        content_hash  VARCHAR,            -- sha256 of the file bytes
        kind          VARCHAR,            -- samples | overdoses | alerts
        profile       VARCHAR,
        started_at    TIMESTAMP NOT NULL, -- UTC
        finished_at   TIMESTAMP,          -- UTC
        rows_read     BIGINT DEFAULT 0,
        rows_loaded   BIGINT DEFAULT 0,
        rows_duplicate BIGINT DEFAULT 0,
        rows_rejected BIGINT DEFAULT 0,
        status        VARCHAR NOT NULL,   -- loaded | unchanged | refused
        message       VARCHAR,            -- one line: why refused, or the summary
        dropped_columns VARCHAR[]         -- person-level columns dropped before storage (names only)
    );
    CREATE TABLE rejects (
        run_id   INTEGER NOT NULL,
        line     BIGINT,                  -- 1-based line number in the file (header is line 1)
        "column" VARCHAR,
        reason   VARCHAR NOT NULL,
        raw_line VARCHAR
    );
    CREATE TABLE samples (
        sample_id        VARCHAR PRIMARY KEY, -- from the source, or a hash of the profile's natural key
        source           VARCHAR NOT NULL,    -- service / profile that supplied it
        collected_date   DATE NOT NULL,
        site             VARCHAR,
        region           VARCHAR,
        expected_raw     VARCHAR,             -- "sold as", as written
        expected_substance VARCHAR,           -- canonical, NULL when unknown
        expected_class   VARCHAR,
        sample_type      VARCHAR,             -- drug | residue | NULL
        form             VARCHAR,             -- powder | pill | crystal | liquid | paper | other | NULL
        colour           VARCHAR,
        fentanyl_strip   VARCHAR,             -- positive | negative | invalid | NULL (not tested)
        benzo_strip      VARCHAR,
        xylazine_strip   VARCHAR,
        nitazene_strip   VARCHAR,
        medetomidine_strip VARCHAR,
        ftir_tested      BOOLEAN NOT NULL DEFAULT false,
        lab_tested       BOOLEAN NOT NULL DEFAULT false,
        fentanyl_pct     DOUBLE,              -- quantified fentanyl, % by weight
        overdose_linked  BOOLEAN,
        notes            VARCHAR,             -- free text: never public, never exported
        load_run_id      INTEGER NOT NULL
    );
    CREATE TABLE detections (
        sample_id     VARCHAR NOT NULL,
        method        VARCHAR NOT NULL,   -- ftir | lab | fentanyl_strip | benzo_strip | xylazine_strip | nitazene_strip | medetomidine_strip
        substance_raw VARCHAR NOT NULL,   -- as written in the source
        substance     VARCHAR,            -- canonical; NULL when unknown (then class = 'unclassified') or class-only strips
        class         VARCHAR NOT NULL,
        is_trace      BOOLEAN NOT NULL DEFAULT false,
        is_primary    BOOLEAN NOT NULL DEFAULT true
    );
    CREATE TABLE overdose_events (
        event_key    VARCHAR PRIMARY KEY, -- hash of the natural key, for idempotent loads
        source       VARCHAR NOT NULL,
        region       VARCHAR,
        site         VARCHAR,
        period_start DATE NOT NULL,
        period_end   DATE NOT NULL,       -- inclusive
        period_label VARCHAR NOT NULL,    -- as written: '2024 Q1', '2023', '2024-03-05'
        period_type  VARCHAR NOT NULL,    -- day | week | month | quarter | year | other
        measure      VARCHAR NOT NULL,    -- deaths | hospitalizations | ed_visits | ems | non_fatal | other
        substance    VARCHAR,             -- opioids | stimulants | all ...
        breakdown    VARCHAR,             -- extra dimension as written (age group, sex ...), NULL for totals
        unit         VARCHAR NOT NULL,    -- count | rate | percent
        value        DOUBLE,              -- NULL when suppressed or not available
        suppressed   BOOLEAN NOT NULL DEFAULT false,
        value_label  VARCHAR,             -- the raw value when not a number: '< 5', 'Suppr.', 'NA', 'n/a'
        load_run_id  INTEGER NOT NULL
    );
    CREATE TABLE alerts (
        alert_id    VARCHAR PRIMARY KEY,  -- from the source, or a hash of date+region+title
        source      VARCHAR NOT NULL,     -- issuer
        issued_date DATE NOT NULL,
        region      VARCHAR,
        alert_type  VARCHAR,
        title       VARCHAR NOT NULL,
        body        VARCHAR,
        link        VARCHAR,              -- http/https only, else NULL
        load_run_id INTEGER NOT NULL
    );
    """,
    # 2: samples without its PRIMARY KEY (the load dedupes by anti-join under the writer lock; the ART index on a
    #    VARCHAR id slowed every large insert). Rebuilt with the same columns, data kept.
    """
    CREATE TABLE samples_v2 (
        sample_id        VARCHAR NOT NULL,    -- unique: the load skips ids already stored (see etl.load)
        source           VARCHAR NOT NULL,
        collected_date   DATE NOT NULL,
        site             VARCHAR,
        region           VARCHAR,
        expected_raw     VARCHAR,
        expected_substance VARCHAR,
        expected_class   VARCHAR,
        sample_type      VARCHAR,
        form             VARCHAR,
        colour           VARCHAR,
        fentanyl_strip   VARCHAR,
        benzo_strip      VARCHAR,
        xylazine_strip   VARCHAR,
        nitazene_strip   VARCHAR,
        medetomidine_strip VARCHAR,
        ftir_tested      BOOLEAN NOT NULL DEFAULT false,
        lab_tested       BOOLEAN NOT NULL DEFAULT false,
        fentanyl_pct     DOUBLE,
        overdose_linked  BOOLEAN,
        notes            VARCHAR,
        load_run_id      INTEGER NOT NULL
    );
    INSERT INTO samples_v2 SELECT * FROM samples;
    DROP TABLE samples;
    ALTER TABLE samples_v2 RENAME TO samples;
    """,
    # 3: an integer sample key, and each detection carries its sample's filter columns. Every supply page counted
    #    findings by joining 1-2M detections to 1M samples on the text sample_id (0.3-1 s a join at 1M samples);
    #    with these the dashboard counts from detections alone, and joins, where it must, on an integer.
    #    Only a dictionary re-install changes a stored sample (its expectation), and it updates the copies too
    #    (etl.substances.install_dictionary).
    """
    CREATE SEQUENCE sample_nos START 1;
    ALTER TABLE samples ADD COLUMN sample_no BIGINT DEFAULT nextval('sample_nos');
    CREATE TABLE detections_v3 (
        sample_id     VARCHAR NOT NULL,
        method        VARCHAR NOT NULL,
        substance_raw VARCHAR NOT NULL,
        substance     VARCHAR,
        class         VARCHAR NOT NULL,
        is_trace      BOOLEAN NOT NULL DEFAULT false,
        is_primary    BOOLEAN NOT NULL DEFAULT true,
        sample_no     BIGINT NOT NULL,      -- samples.sample_no; the columns below are copies of the sample's
        collected_date DATE NOT NULL,
        site          VARCHAR,
        region        VARCHAR,
        expected_raw  VARCHAR,
        sample_type   VARCHAR,
        expected_substance VARCHAR,
        expected_class VARCHAR
    );
    INSERT INTO detections_v3
    SELECT d.sample_id, d.method, d.substance_raw, d.substance, d.class, d.is_trace, d.is_primary,
           s.sample_no, s.collected_date, s.site, s.region, s.expected_raw, s.sample_type,
           s.expected_substance, s.expected_class
    FROM detections d JOIN samples s USING (sample_id)
    ORDER BY s.sample_no;
    DROP TABLE detections;
    ALTER TABLE detections_v3 RENAME TO detections;
    """,
    # 4: what FTIR/lab found in each sample, folded at load time (supplywatch.findings): expected vs found read
    #    ~0.5 s of grouped detections per view at 1M samples, and now reads one row per sample. NULL means "not
    #    folded yet": readers then fold live, and the next write fills every sample (findings.ensure).
    """
    ALTER TABLE samples ADD COLUMN found_classes BIGINT;      -- bit i: i-th class slug in sorted order, active only
    ALTER TABLE samples ADD COLUMN found_substances VARCHAR[]; -- distinct canonical substances found, sorted
    ALTER TABLE samples ADD COLUMN found_expected BOOLEAN;    -- something found matches the expectation
    ALTER TABLE samples ADD COLUMN found_unexpected BOOLEAN;  -- an active finding that does not
    """,
    # 5: every overdose period has an explicit kind, so a chart line never mixes years with quarters. period_type
    #    now takes day | week | month | quarter | year | year_to_date | rolling (a window of N months ending at
    #    period_end; N = the months from period_start to period_end) | other. Stored 'other' periods (partial
    #    years such as '2025 (Jan to Sep)') get the kind their first and last day show. Loads also count the
    #    rows a mapping's skip_when left out (they carry no result, so they are neither loaded nor rejected).
    """
    UPDATE overdose_events SET period_type = CASE
        WHEN period_start = make_date(year(period_start), 1, 1)
             AND period_end = make_date(year(period_start), 12, 31) THEN 'year'
        WHEN day(period_start) = 1 AND period_end = last_day(period_start) THEN 'month'
        WHEN day(period_start) = 1 AND month(period_start) IN (1, 4, 7, 10)
             AND period_end = last_day(period_start + INTERVAL 2 MONTH) THEN 'quarter'
        WHEN period_start = make_date(year(period_start), 1, 1) AND year(period_end) = year(period_start)
             AND period_end = last_day(period_end) THEN 'year_to_date'
        ELSE 'other' END
    WHERE period_type = 'other';
    ALTER TABLE load_runs ADD COLUMN rows_skipped BIGINT DEFAULT 0;
    """,
    # 6: every row of a file is accounted for in its run: loaded + duplicates + conflicts + rejected + skipped by a
    #    rule = read. A conflict is a row whose key another row holds with other values (the file is refused).
    #    (rows_skipped came with migration 5.)
    """
    ALTER TABLE load_runs ADD COLUMN rows_conflict BIGINT DEFAULT 0;
    """,
    # 7: when each substance was first and last seen, and in how many samples, per filter group
    #    (supplywatch.first_seen): Emerging's and the overview's first detections read this small table instead of
    #    a grouped distinct count over every detection (the slowest supply query, 2.8 s at 1M samples). Filled
    #    here from the stored detections; every writer of detections keeps it equal to them.
    """
    CREATE TABLE substance_first_seen (
        region       VARCHAR,
        site         VARCHAR,
        expected_raw VARCHAR,
        sample_type  VARCHAR,
        substance    VARCHAR NOT NULL,
        class        VARCHAR NOT NULL,
        first_seen   DATE NOT NULL,
        last_seen    DATE NOT NULL,
        n            BIGINT NOT NULL
    );
    INSERT INTO substance_first_seen
    SELECT region, site, expected_raw, sample_type, substance, class, min(collected_date), max(collected_date),
           count(*)
    FROM (SELECT DISTINCT region, site, expected_raw, sample_type, substance, class, sample_no, collected_date
          FROM detections WHERE substance IS NOT NULL) per_sample
    GROUP BY region, site, expected_raw, sample_type, substance, class;
    """,
    # 8: positivity per week, month, filter group and Trends target (supplywatch.weekly_positivity): Trends reads
    #    this small table instead of scanning every sample and detection (14 s cold at 10M samples on a lake).
    #    Created empty: the first writer on this schema fills it (its counts come from code, not SQL here), and
    #    readers scan until it is filled.
    """
    CREATE TABLE positivity_weeks (
        week         DATE NOT NULL,
        month        DATE NOT NULL,
        region       VARCHAR,
        site         VARCHAR,
        expected_raw VARCHAR,
        sample_type  VARCHAR,
        expected_substance VARCHAR,
        expected_class VARCHAR,
        target       VARCHAR NOT NULL,
        n            BIGINT NOT NULL,
        k            BIGINT NOT NULL,
        x            BIGINT NOT NULL
    );
    """,
    # 9: the summaries Expected vs found, Concentration and Emerging read (supplywatch.kept_summaries) instead of
    #    scanning every sample (1.4 s cold for Expected vs found at 10M samples). Created empty: the first writer
    #    on this schema fills them 500,000 samples at a time, and readers scan until then.
    """
    CREATE TABLE found_cells (
        week DATE NOT NULL, month DATE NOT NULL, region VARCHAR, site VARCHAR, expected_raw VARCHAR,
        sample_type VARCHAR, expected_substance VARCHAR, expected_class VARCHAR, found_classes BIGINT,
        found_substances_text VARCHAR,  -- found_substances joined by chr(31): a text groups faster than a list
        found_expected BOOLEAN, found_unexpected BOOLEAN, n BIGINT NOT NULL
    );
    CREATE TABLE quantified_samples (
        collected_date DATE NOT NULL, region VARCHAR, site VARCHAR, expected_raw VARCHAR, sample_type VARCHAR,
        fentanyl_pct DOUBLE NOT NULL
    );
    CREATE TABLE unclassified_rows (
        name VARCHAR, sample_no BIGINT NOT NULL, collected_date DATE NOT NULL, region VARCHAR, site VARCHAR,
        expected_raw VARCHAR, sample_type VARCHAR
    );
    """,
    # 10: quantified samples counted per month, place, "sold as", type and fentanyl % (supplywatch.kept_summaries):
    #     Concentration's quantiles from the counts, 0.06 s at 10M samples where quantified_samples took 0.7 s.
    #     Created empty and filled by the first writer on this schema, as in 9.
    """
    CREATE TABLE quantified_values (
        month DATE NOT NULL, region VARCHAR, site VARCHAR, expected_raw VARCHAR, sample_type VARCHAR,
        fentanyl_pct DOUBLE NOT NULL, n BIGINT NOT NULL
    );
    """,
]

# Columns of ``detections`` copied from its sample (migration 3), in table order after ``sample_no``.
DETECTION_SAMPLE_COLUMNS = ("collected_date", "site", "region", "expected_raw", "sample_type",
                            "expected_substance", "expected_class")

# The app's own file: accounts, community alerts, audit. Owned by supplywatch.auth /
# supplywatch.alerts; append migrations here.
APP_MIGRATIONS: list[str] = [
    # 1: staff accounts, community alert versions, and their append-only audit (supplywatch.auth, .alerts.store)
    """
    CREATE TABLE users (
        username        VARCHAR PRIMARY KEY,  -- lower case, [a-z0-9._-]
        password_hash   VARCHAR NOT NULL,     -- argon2id, never the password
        role            VARCHAR NOT NULL,     -- poster | reviewer | admin
        disabled        BOOLEAN NOT NULL DEFAULT false,
        created_at      TIMESTAMP NOT NULL,   -- UTC
        failed_count    INTEGER NOT NULL DEFAULT 0,  -- wrong passwords since the last sign-in
        next_allowed_at TIMESTAMP,            -- UTC; slow-down after repeated failures
        locked_until    TIMESTAMP             -- UTC; lockout after too many failures
    );
    CREATE SEQUENCE audit_ids START 1;
    CREATE TABLE account_audit (            -- append-only: sign-in, sign-out, refusals, account changes
        audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        logged_at TIMESTAMP NOT NULL,       -- UTC
        actor     VARCHAR,                  -- who did it (NULL: anonymous)
        action    VARCHAR NOT NULL,
        username  VARCHAR,                  -- the account concerned
        detail    VARCHAR
    );
    CREATE TABLE alert_versions (           -- one row per version; only status fields change, nothing is deleted
        alert_id        VARCHAR NOT NULL,
        version         INTEGER NOT NULL,
        status          VARCHAR NOT NULL,   -- draft | in_review | published | superseded | expired | cancelled
        msg_type        VARCHAR NOT NULL,   -- Alert | Update | Cancel
        severity        VARCHAR NOT NULL,   -- information | caution | warning
        text_json       VARCHAR NOT NULL,   -- {"en": {"headline":..,"details":..,"what_to_do":..}, "fr": {...}}
        substances      VARCHAR[] NOT NULL,
        regions         VARCHAR[] NOT NULL,
        evidence        VARCHAR[] NOT NULL,
        links           VARCHAR[] NOT NULL,
        created_at      TIMESTAMP NOT NULL, -- UTC
        published_at    TIMESTAMP,          -- UTC
        expires_at      TIMESTAMP NOT NULL, -- UTC
        author          VARCHAR NOT NULL,
        approver        VARCHAR,
        "references"    VARCHAR,            -- 'alert_id@version' replaced or cancelled
        flagged_for_review BOOLEAN NOT NULL DEFAULT false,
        status_reason   VARCHAR,
        PRIMARY KEY (alert_id, version)
    );
    CREATE TABLE alert_audit (              -- append-only: every alert change and every public-file refresh
        audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        logged_at TIMESTAMP NOT NULL,       -- UTC
        actor     VARCHAR NOT NULL,         -- username, or 'system' for expiry
        action    VARCHAR NOT NULL,
        alert_id  VARCHAR,
        version   INTEGER,
        detail    VARCHAR
    );
    """,
    # 2: signal suggestions for staff review (supplywatch.signals); one row per signal, never suggested twice
    """
    CREATE TABLE signal_suggestions (
        signal_key   VARCHAR PRIMARY KEY,   -- stable: rule|region|target|date, so a signal is stored once
        rule         VARCHAR NOT NULL,      -- first_detection | positivity_rise | concentration_spike | overdose_spike
        title        VARCHAR NOT NULL,      -- one line, English
        severity     VARCHAR NOT NULL,      -- suggested: information | caution | warning
        substances   VARCHAR[] NOT NULL,
        regions      VARCHAR[] NOT NULL,
        evidence     VARCHAR[] NOT NULL,    -- plain-text lines naming sample ids, counts, dates
        text_json    VARCHAR NOT NULL,      -- suggested AlertText {"en": {...}, "fr": {...}}
        stats_json   VARCHAR,               -- the numbers behind it (n, k, p, EARS statistic ...)
        detected_at  TIMESTAMP NOT NULL,    -- UTC, when first suggested
        status       VARCHAR NOT NULL DEFAULT 'new',  -- new | accepted | dismissed
        decided_by   VARCHAR,
        decided_at   TIMESTAMP,             -- UTC
        reason       VARCHAR,               -- required to dismiss
        alert_id     VARCHAR                -- the draft created on accept
    );
    """,
    # 3: who wrote each alert version (supplywatch.alerts.authorship): everyone who created or revised its text is an
    #    author, and no author approves it. Filled from the versions' creators and the revisions already audited, so
    #    a reviewer who rewrote a draft before this upgrade still cannot approve it.
    """
    CREATE TABLE alert_authors (            -- append-only: one row per person who wrote text of a version
        alert_id  VARCHAR NOT NULL,
        version   INTEGER NOT NULL,
        username  VARCHAR NOT NULL,
        since     TIMESTAMP NOT NULL,       -- UTC, their first write to this version
        PRIMARY KEY (alert_id, version, username)
    );
    INSERT INTO alert_authors SELECT alert_id, version, author, created_at FROM alert_versions;
    INSERT INTO alert_authors
    SELECT a.alert_id, a.version, a.actor, min(a.logged_at) FROM alert_audit a
    WHERE a.action = 'revised' AND a.version IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM alert_versions v WHERE v.alert_id = a.alert_id AND v.version = a.version AND v.author = a.actor)
    GROUP BY a.alert_id, a.version, a.actor;
    """,
    # 4: email subscribers and the delivery queue (supplywatch.delivery). Addresses only encrypted (Fernet, key
    #    from SUPPLYWATCH_SUBSCRIBER_KEY) and as a keyed hash for look-ups; tokens only as hashes.
    """
    CREATE TABLE subscribers (
        subscriber_id  VARCHAR PRIMARY KEY,   -- random, carries nothing about the person
        address_hash   VARCHAR NOT NULL UNIQUE, -- HMAC-SHA256 of the normalised address (look-ups, audit)
        address_enc    VARCHAR NOT NULL,      -- Fernet token of the address
        regions        VARCHAR[] NOT NULL,    -- empty: every region
        min_severity   VARCHAR NOT NULL,      -- information | caution | warning
        lang           VARCHAR NOT NULL,      -- en | fr
        confirm_hash   VARCHAR,               -- sha256 of the double opt-in token; NULL once confirmed
        created_at     TIMESTAMP NOT NULL,    -- UTC
        confirm_sent_at TIMESTAMP,            -- UTC, last confirmation request queued
        confirmed_at   TIMESTAMP              -- UTC; NULL: nothing but the confirmation request is ever sent
    );
    CREATE SEQUENCE delivery_ids START 1;
    CREATE TABLE deliveries (               -- one message to one subscriber; at most one per alert version
        delivery_id     BIGINT PRIMARY KEY DEFAULT nextval('delivery_ids'),
        subscriber_id   VARCHAR NOT NULL,
        kind            VARCHAR NOT NULL,   -- alert | confirm | webhook
        alert_id        VARCHAR NOT NULL,   -- '' for a confirmation request
        version         INTEGER NOT NULL,   -- alert version; for a confirmation request its time (Unix seconds)
        token_enc       VARCHAR,            -- confirm only: Fernet token of the opt-in token, erased once sent
        status          VARCHAR NOT NULL,   -- queued | sending | sent | dead
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMP NOT NULL, -- UTC
        enqueued_at     TIMESTAMP NOT NULL, -- UTC
        claimed_at      TIMESTAMP,          -- UTC, when a worker took it
        sent_at         TIMESTAMP,          -- UTC
        last_error      VARCHAR,            -- one line: why the last attempt failed / why it is dead
        UNIQUE (subscriber_id, kind, alert_id, version)
    );
    CREATE TABLE webhooks (                 -- organisations' receivers, registered by staff
        webhook_id     VARCHAR PRIMARY KEY,   -- random; deliveries.subscriber_id for kind 'webhook'
        name           VARCHAR NOT NULL,      -- the organisation, as staff wrote it
        url_enc        VARCHAR NOT NULL,      -- Fernet token of the URL (it may carry the receiver's own token)
        secret_enc     VARCHAR NOT NULL,      -- Fernet token of the signing secret
        regions        VARCHAR[] NOT NULL,    -- empty: every region
        min_severity   VARCHAR NOT NULL,
        lang           VARCHAR NOT NULL,
        created_by     VARCHAR NOT NULL,
        created_at     TIMESTAMP NOT NULL     -- UTC
    );
    CREATE TABLE subscription_audit (       -- append-only; names an address only by its keyed hash
        audit_id     BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        logged_at    TIMESTAMP NOT NULL,    -- UTC
        actor        VARCHAR NOT NULL,      -- 'public', a staff username, or 'worker'
        action       VARCHAR NOT NULL,      -- subscribed | confirmed | unsubscribed | removed | refused
        address_hash VARCHAR,
        detail       VARCHAR
    );
    """,
    # 5: staff sign-in that survives reloads and new tabs (supplywatch.staff_sessions): server-side sessions and the
    #    one-time tickets that turn a sign-in into a cookie. Only the SHA-256 of each random token is stored.
    """
    CREATE TABLE staff_sessions (
        token_hash VARCHAR PRIMARY KEY,     -- hex SHA-256 of the token the browser holds; never the token
        kind       VARCHAR NOT NULL,        -- ticket (single use, seconds) | session (the sw_session cookie)
        username   VARCHAR NOT NULL,
        next_path  VARCHAR,                 -- ticket: the same-origin path to go back to after sign-in
        created_at TIMESTAMP NOT NULL,      -- UTC
        last_seen  TIMESTAMP NOT NULL,      -- UTC; a session unused for the idle timeout has ended
        expires_at TIMESTAMP NOT NULL       -- UTC; the absolute limit, however active
    );
    """,
    # 6: where to get help, per region (supplywatch.help_directory): the bilingual directory staff load from a CSV,
    #    replaced whole by each load, and who loaded which file when. Services only: no person-level data.
    """
    CREATE TABLE help_entries (
        position  INTEGER PRIMARY KEY,      -- row order in the loaded file
        region    VARCHAR NOT NULL,         -- '*': every region
        kind      VARCHAR NOT NULL,         -- drug_checking | naloxone | supervised_consumption | treatment | ...
        name_en   VARCHAR NOT NULL,
        name_fr   VARCHAR NOT NULL,
        address   VARCHAR NOT NULL,
        hours_en  VARCHAR NOT NULL,
        hours_fr  VARCHAR NOT NULL,
        phone     VARCHAR NOT NULL,
        open_24_7 BOOLEAN NOT NULL,
        url       VARCHAR,
        notes_en  VARCHAR NOT NULL,
        notes_fr  VARCHAR NOT NULL
    );
    CREATE TABLE help_directory_loads (
        loaded_at TIMESTAMP NOT NULL,       -- UTC
        actor     VARCHAR NOT NULL,
        source    VARCHAR NOT NULL,         -- the file's name
        entries   INTEGER NOT NULL,
        PRIMARY KEY (loaded_at, source)     -- a key, so migrate-app can copy it again without doubling it
    );
    """,
    # 7: staff can pause an organisation's webhook without losing its URL and secret (supplywatch.delivery.webhooks).
    """
    ALTER TABLE webhooks ADD COLUMN disabled_at TIMESTAMP;  -- UTC; NULL: active. A disabled webhook is sent nothing
    """,
]

# Constraints only PostgreSQL can hold (DuckDB has no partial index), added right after the app migration they
# follow. They back the rules that protect people with the engine itself when several servers share the state.
APP_POSTGRES_CONSTRAINTS: dict[int, list[str]] = {
    # at most one published version per alert, whatever sessions on whatever servers try at the same moment
    1: ["CREATE UNIQUE INDEX one_published_version ON alert_versions (alert_id) WHERE status = 'published'"],
}

# One detection for a sample already stored, its copied columns read from the sample; for warehouses built by
# hand (tests, benchmarks). Parameters in table order: sample_id, method, substance_raw, substance, class,
# is_trace, is_primary.
INSERT_DETECTION = (
    "INSERT INTO detections SELECT s.sample_id, $2, $3, $4, $5, $6, $7, s.sample_no, "
    + ", ".join(f"s.{c}" for c in DETECTION_SAMPLE_COLUMNS)
    + " FROM samples s WHERE s.sample_id = $1"
)
