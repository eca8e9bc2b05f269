BEGIN TRANSACTION;
CREATE TABLE answer_edits (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        scale INTEGER,
        text TEXT,
        voice_file_id TEXT,
        replaced_at TEXT NOT NULL
    );
INSERT INTO "answer_edits" VALUES(1,1,3,'We listen',NULL,'2026-02-02T11:00:00Z');
CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        scale INTEGER CHECK (scale BETWEEN 1 AND 5),
        skipped INTEGER NOT NULL DEFAULT 0,
        text TEXT,
        voice_file_id TEXT,
        visibility TEXT NOT NULL DEFAULT 'group' CHECK (visibility IN ('group', 'private')),
        quotable INTEGER NOT NULL DEFAULT 0,
        message_id INTEGER,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        UNIQUE (prompt_id, user_id)
    );
INSERT INTO "answers" VALUES(1,1,601,4,0,'We listen <well>',NULL,'group',1,12,'2026-02-02T10:00:00Z','2026-02-02T11:00:00Z');
INSERT INTO "answers" VALUES(2,1,602,NULL,1,NULL,NULL,'group',0,NULL,'2026-02-02T12:00:00Z',NULL);
INSERT INTO "answers" VALUES(3,2,602,2,0,'Dicho en privado',NULL,'private',0,5,'2026-02-09T12:00:00Z',NULL);
INSERT INTO "answers" VALUES(4,3,701,NULL,0,'Mi diario',NULL,'private',0,9,'2026-02-09T20:00:00Z',NULL);
CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('group', 'private')),
        title TEXT,
        timezone TEXT NOT NULL,
        language TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        names_visible INTEGER NOT NULL DEFAULT 0,
        nudges_enabled INTEGER NOT NULL DEFAULT 1,
        quiet_start TEXT NOT NULL DEFAULT '21:00',
        quiet_end TEXT NOT NULL DEFAULT '08:00',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    , close_after_minutes INTEGER, summary_day TEXT NOT NULL DEFAULT 'fri', summary_time TEXT NOT NULL DEFAULT '17:00', next_summary_at TEXT, timezone_chosen INTEGER NOT NULL DEFAULT 0, recap_day TEXT, recap_time TEXT, next_recap_at TEXT, summary_hold_until TEXT);
INSERT INTO "chats" VALUES(-100200,'group','Riverside CSO','Europe/Madrid','es',1,1,1,'21:00','08:00','2026-02-02T09:00:00Z','2026-02-02T09:00:00Z',4320,'fri','17:00','2026-02-13T16:00:00Z',0,NULL,NULL,NULL,NULL);
INSERT INTO "chats" VALUES(-300,'group','Old Town Council','Europe/London','en',0,0,0,'22:00','07:00','2026-02-03T09:00:00Z','2026-02-09T09:00:00Z',NULL,'mon','10:00',NULL,0,NULL,NULL,NULL,NULL);
INSERT INTO "chats" VALUES(601,'private',NULL,'UTC','en',1,0,1,'21:00','08:00','2026-02-02T10:00:00Z','2026-02-02T10:00:00Z',NULL,'fri','17:00',NULL,1,NULL,NULL,NULL,NULL);
INSERT INTO "chats" VALUES(701,'private',NULL,'Europe/Madrid','es',1,0,1,'21:00','08:00','2026-02-04T19:00:00Z','2026-02-04T19:00:00Z',NULL,'fri','17:00',NULL,1,'sun','20:00','2026-02-15T19:00:00Z',NULL);
CREATE TABLE coordinators (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        user_id INTEGER NOT NULL,
        added_by INTEGER,
        added_at TEXT NOT NULL, asked_private_at TEXT,
        PRIMARY KEY (chat_id, user_id)
    );
INSERT INTO "coordinators" VALUES(-100200,601,NULL,'2026-02-02T09:00:00Z',NULL);
CREATE TABLE enrolments (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        pack_id TEXT NOT NULL,
        cadence TEXT NOT NULL,
        days TEXT NOT NULL DEFAULT '',
        local_time TEXT NOT NULL DEFAULT '09:00',
        cursor INTEGER NOT NULL DEFAULT 0,
        next_due_at TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    , hold_until TEXT, resumed_at TEXT);
INSERT INTO "enrolments" VALUES(1,-100200,'checklist-cso','weekly','mon','09:00',2,'2026-02-16T08:00:00Z',0,1,'2026-02-02T09:00:00Z','2026-02-09T08:00:00Z','2026-02-16T09:00:00Z',NULL);
INSERT INTO "enrolments" VALUES(2,-300,'theory-u','daily','','18:00',0,NULL,1,1,'2026-02-03T09:00:00Z','2026-02-03T09:00:00Z',NULL,NULL);
INSERT INTO "enrolments" VALUES(3,701,'theory-u','daily','','20:00',1,'2026-02-10T19:00:00Z',0,1,'2026-02-04T19:00:00Z','2026-02-09T19:00:00Z',NULL,NULL);
CREATE TABLE members (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        user_id INTEGER NOT NULL,
        display_name TEXT NOT NULL,
        username TEXT,
        joined_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        left_at TEXT,
        quiet INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (chat_id, user_id)
    );
INSERT INTO "members" VALUES(-100200,601,'Ana Admin','ana','2026-02-02T09:00:00Z','2026-02-09T09:00:00Z',NULL,0);
INSERT INTO "members" VALUES(-100200,602,'Bruno',NULL,'2026-02-02T09:00:00Z','2026-02-03T09:00:00Z',NULL,1);
CREATE TABLE nudges (
        id INTEGER PRIMARY KEY,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        user_id INTEGER NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('private', 'group')),
        sent_at TEXT NOT NULL,
        UNIQUE (prompt_id, user_id)
    );
INSERT INTO "nudges" VALUES(1,1,-100200,602,'group','2026-02-05T10:00:00Z');
CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        prompt_id INTEGER REFERENCES prompts(id) ON DELETE CASCADE,
        subject_id INTEGER,
        period TEXT,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sent', 'unknown', 'failed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        progress INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        claimed_until TEXT,
        message_id INTEGER,
        reason TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    , claimed_by TEXT);
INSERT INTO "outbox" VALUES(1,'question:2','question',-100200,2,NULL,NULL,0,'sent',1,0,'2026-02-09T08:00:00Z',NULL,20,NULL,'2026-02-09T08:00:00Z','2026-02-09T08:00:00Z',NULL);
INSERT INTO "outbox" VALUES(2,'summary:-100200:2026-W06','summary',-100200,NULL,-100200,'2026-W06',1,'sent',1,2,'2026-02-06T17:00:00Z',NULL,15,NULL,'2026-02-06T17:00:00Z','2026-02-06T17:00:00Z',NULL);
INSERT INTO "outbox" VALUES(3,'reminder:2:601','reminder',601,2,-100200,NULL,3,'pending',2,0,'2026-02-11T13:00:00Z',NULL,NULL,'network: ConnectError','2026-02-11T12:00:00Z',NULL,NULL);
INSERT INTO "outbox" VALUES(4,'digest:-100200:2026-W06:601','digest',601,NULL,-100200,'2026-W06',2,'pending',1,0,'2026-02-06T17:00:00Z','2026-02-10T12:10:00Z',NULL,NULL,'2026-02-06T17:00:00Z',NULL,NULL);
CREATE TABLE parked_updates (
        update_id INTEGER PRIMARY KEY,
        chat_key INTEGER NOT NULL,
        body TEXT NOT NULL,
        parked_at TEXT NOT NULL
    );
CREATE TABLE partner_codes (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        side TEXT NOT NULL CHECK (side IN ('la', 'cso')),
        code_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
INSERT INTO "partner_codes" VALUES(1,-100200,'cso','5d41402abc4b2a76b9719d911017c592','2026-02-09T10:00:00Z','2026-02-16T10:00:00Z','2026-02-09T11:00:00Z');
CREATE TABLE partnerships (
        id INTEGER PRIMARY KEY,
        la_chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        cso_chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        created_at TEXT NOT NULL,
        UNIQUE (la_chat_id, cso_chat_id),
        CHECK (la_chat_id <> cso_chat_id)
    );
INSERT INTO "partnerships" VALUES(1,-300,-100200,'2026-02-09T11:00:00Z');
CREATE TABLE private_prompt_messages (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
INSERT INTO "private_prompt_messages" VALUES(601,4,2,'2026-02-09T11:00:00Z');
CREATE TABLE prompts (
        id INTEGER PRIMARY KEY,
        enrolment_id INTEGER NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
        slot TEXT NOT NULL,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        pack_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        message_id INTEGER,
        opened_at TEXT NOT NULL,
        closes_at TEXT,
        closed_at TEXT, closing_soon_at TEXT, count_edited_at TEXT,
        UNIQUE (enrolment_id, slot)
    );
INSERT INTO "prompts" VALUES(1,1,'2026-02-02T08:00:00Z',-100200,'checklist-cso','cso-01',11,'2026-02-02T08:00:00Z',NULL,'2026-02-09T08:00:00Z',NULL,NULL);
INSERT INTO "prompts" VALUES(2,1,'2026-02-09T08:00:00Z',-100200,'checklist-cso','cso-02',20,'2026-02-09T08:00:00Z',NULL,NULL,'2026-02-11T12:00:00Z',NULL);
INSERT INTO "prompts" VALUES(3,3,'2026-02-09T19:00:00Z',701,'theory-u','u-01',8,'2026-02-09T19:00:00Z',NULL,NULL,NULL,NULL);
CREATE TABLE schema_version ( version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO "schema_version" VALUES(1,'initial schema','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(2,'setup drafts and private answer threads','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(3,'question windows, quiet-hour holds, closing soon','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(4,'weekly summaries','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(5,'personal reflection','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(6,'recaps apart from summaries, summary holds, summary times for older groups','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(7,'an outbox of everything the bot sends on its own','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(8,'partnerships between a council group and a civil-society group','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(9,'outbox claims name the process holding them','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(10,'only answers given as messages are indexed by message','2026-02-01T12:00:00Z');
INSERT INTO "schema_version" VALUES(11,'updates kept while a slow chat''s are handled; a question''s live count edited once a while across replicas; private copies found by question; when a programme last resumed','2026-02-01T12:00:00Z');
CREATE TABLE setup_drafts (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        message_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
INSERT INTO "setup_drafts" VALUES(-100200,30,601,'{"step": "cadence", "pack_id": "theory-u"}','2026-02-09T09:00:00Z');
CREATE INDEX members_by_user ON members (user_id);
CREATE INDEX coordinators_by_user ON coordinators (user_id);
CREATE UNIQUE INDEX enrolments_one_active ON enrolments (chat_id) WHERE active = 1;
CREATE INDEX enrolments_due ON enrolments (next_due_at) WHERE active = 1 AND paused = 0;
CREATE INDEX prompts_by_chat ON prompts (chat_id, opened_at);
CREATE INDEX prompts_by_message ON prompts (chat_id, message_id);
CREATE INDEX answers_by_user ON answers (user_id);
CREATE INDEX nudges_by_user ON nudges (user_id, sent_at);
CREATE INDEX prompts_open ON prompts (closed_at, closes_at);
CREATE INDEX chats_summary_due ON chats (next_summary_at) WHERE active = 1;
CREATE INDEX chats_recap_due ON chats (next_recap_at) WHERE active = 1;
CREATE INDEX outbox_pending ON outbox (priority, not_before, id) WHERE state = 'pending';
CREATE INDEX outbox_by_chat ON outbox (chat_id, state);
CREATE INDEX partner_codes_by_chat ON partner_codes (chat_id);
CREATE INDEX partnerships_by_cso ON partnerships (cso_chat_id);
CREATE INDEX answers_by_message ON answers (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX parked_updates_by_chat ON parked_updates (chat_key, update_id);
CREATE INDEX private_prompt_messages_by_prompt ON private_prompt_messages (prompt_id);
COMMIT;
