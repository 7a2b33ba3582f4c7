"""001: the initial schema, frozen as DDL for each dialect.

Generated once from models.py; later schema changes are new numbered files
using the migrator's operations (add_fields, add_index, ...), never edits
here, so an existing database upgrades with ``flask init-db``.
"""

import peewee as pw

SQLITE = ['CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(64) NOT NULL, '
 '"display_name" VARCHAR(100) NOT NULL, "role" VARCHAR(16) NOT NULL CHECK (role IN (\'rep\', '
 '\'manager\', \'owner\', \'admin\')), "email" VARCHAR(254) NOT NULL, "phone" VARCHAR(32) NOT '
 'NULL, "password_hash" VARCHAR(255), "is_active" INTEGER NOT NULL, "locale" VARCHAR(10), '
 '"created_at" DATETIME NOT NULL, "last_login_at" DATETIME, "factory_id" INTEGER)',
 'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
 'CREATE INDEX "user_factory_id" ON "user" ("factory_id")',
 'CREATE TABLE "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "name" '
 'VARCHAR(100) NOT NULL, "token_hash" VARCHAR(128) NOT NULL, "created_at" DATETIME NOT NULL, '
 '"created_by_id" INTEGER, "last_used_at" DATETIME, "revoked_at" DATETIME, FOREIGN KEY ("user_id") '
 'REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" '
 '("id") ON DELETE SET NULL)',
 'CREATE INDEX "api_token_user_id" ON "api_token" ("user_id")',
 'CREATE UNIQUE INDEX "api_token_token_hash" ON "api_token" ("token_hash")',
 'CREATE INDEX "api_token_created_by_id" ON "api_token" ("created_by_id")',
 'CREATE TABLE "audit_log" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "user_id" '
 'INTEGER, "username" VARCHAR(64) NOT NULL, "action" VARCHAR(64) NOT NULL, "object_type" '
 'VARCHAR(32) NOT NULL, "object_id" VARCHAR(64) NOT NULL, "before" TEXT, "after" TEXT, "detail" '
 'TEXT NOT NULL, "ip" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON '
 'DELETE SET NULL)',
 'CREATE INDEX "audit_log_at" ON "audit_log" ("at")',
 'CREATE INDEX "audit_log_user_id" ON "audit_log" ("user_id")',
 'CREATE INDEX "audit_log_action" ON "audit_log" ("action")',
 'CREATE TABLE "region" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name_zh" '
 'VARCHAR(100) NOT NULL, "name_en" VARCHAR(100) NOT NULL, "province" VARCHAR(50) NOT NULL, "city" '
 'VARCHAR(50) NOT NULL, "industry_zh" VARCHAR(100) NOT NULL, "industry_en" VARCHAR(100) NOT NULL)',
 'CREATE UNIQUE INDEX "region_code" ON "region" ("code")',
 'CREATE TABLE "factory" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" '
 'VARCHAR(200) NOT NULL, "region_id" INTEGER NOT NULL, "kind" VARCHAR(16) NOT NULL CHECK (kind IN '
 '(\'factory\', \'trader\')), "rep_id" INTEGER, "specialized" INTEGER NOT NULL, "little_giant" '
 'INTEGER NOT NULL, "phone" VARCHAR(32) NOT NULL, "address" VARCHAR(255) NOT NULL, FOREIGN KEY '
 '("region_id") REFERENCES "region" ("id") ON DELETE RESTRICT, FOREIGN KEY ("rep_id") REFERENCES '
 '"user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "factory_code" ON "factory" ("code")',
 'CREATE INDEX "factory_region_id" ON "factory" ("region_id")',
 'CREATE INDEX "factory_rep_id" ON "factory" ("rep_id")',
 'CREATE TABLE "complaint" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, '
 '"factory_id" INTEGER NOT NULL, "category" VARCHAR(16) NOT NULL CHECK (category IN (\'traffic\', '
 "'fees', 'logistics', 'after_sales', 'service', 'rules', 'tools', 'payment', 'other')), "
 '"severity" VARCHAR(8) NOT NULL CHECK (severity IN (\'critical\', \'high\', \'normal\', '
 '\'low\')), "channel" VARCHAR(8) NOT NULL CHECK (channel IN (\'board\', \'group\', \'visit\', '
 '\'phone\')), "title" VARCHAR(200) NOT NULL, "body" TEXT NOT NULL, "status" VARCHAR(16) NOT NULL '
 'CHECK (status IN (\'open\', \'in_progress\', \'resolved\')), "assignee_id" INTEGER, '
 '"filed_by_id" INTEGER, "created_at" DATETIME NOT NULL, "first_response_at" DATETIME, '
 '"resolved_at" DATETIME, "satisfaction" INTEGER CHECK (satisfaction IS NULL OR satisfaction '
 'BETWEEN 1 AND 5), FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("filed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "complaint_code" ON "complaint" ("code")',
 'CREATE INDEX "complaint_factory_id" ON "complaint" ("factory_id")',
 'CREATE INDEX "complaint_assignee_id" ON "complaint" ("assignee_id")',
 'CREATE INDEX "complaint_filed_by_id" ON "complaint" ("filed_by_id")',
 'CREATE INDEX "complaint_created_at" ON "complaint" ("created_at")',
 'CREATE INDEX "complaint_resolved_at" ON "complaint" ("resolved_at")',
 'CREATE TABLE "complaint_event" ("id" INTEGER NOT NULL PRIMARY KEY, "complaint_id" INTEGER NOT '
 'NULL, "author_id" INTEGER, "created_at" DATETIME NOT NULL, "from_status" VARCHAR(16), '
 '"to_status" VARCHAR(16), "body" TEXT NOT NULL, "internal" INTEGER NOT NULL, FOREIGN KEY '
 '("complaint_id") REFERENCES "complaint" ("id") ON DELETE CASCADE, FOREIGN KEY ("author_id") '
 'REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "complaint_event_complaint_id" ON "complaint_event" ("complaint_id")',
 'CREATE INDEX "complaint_event_author_id" ON "complaint_event" ("author_id")',
 'CREATE TABLE "login_session" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(64) NOT NULL, '
 '"user_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, '
 '"revoked_at" DATETIME, "ip" VARCHAR(64) NOT NULL, "user_agent" VARCHAR(255) NOT NULL, FOREIGN '
 'KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE UNIQUE INDEX "login_session_key" ON "login_session" ("key")',
 'CREATE INDEX "login_session_user_id" ON "login_session" ("user_id")',
 'CREATE TABLE "membership" ("id" INTEGER NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"tier" VARCHAR(8) NOT NULL CHECK (tier IN (\'cxt\', \'super\')), "fee_fen" INTEGER NOT NULL '
 'CHECK (fee_fen >= 0), "start" DATE NOT NULL, "end" DATE NOT NULL, "outcome" VARCHAR(8) CHECK '
 '(outcome IS NULL OR outcome IN (\'renewed\', \'churned\')), FOREIGN KEY ("factory_id") '
 'REFERENCES "factory" ("id") ON DELETE CASCADE, CHECK ("end" > start))',
 'CREATE INDEX "membership_factory_id" ON "membership" ("factory_id")',
 'CREATE INDEX "membership_end" ON "membership" ("end")',
 'CREATE UNIQUE INDEX "membership_factory_id_start" ON "membership" ("factory_id", "start")',
 'CREATE INDEX "membership_tier_end" ON "membership" ("tier", "end")',
 'CREATE TABLE "renewal_case" ("id" INTEGER NOT NULL PRIMARY KEY, "membership_id" INTEGER NOT '
 'NULL, "status" VARCHAR(16) NOT NULL CHECK (status IN (\'open\', \'proposed\', \'approved\', '
 '\'rejected\', \'renewed\', \'churned\')), "risk_note" TEXT NOT NULL, "proposed_tier" VARCHAR(8), '
 '"proposed_fee_fen" INTEGER, "proposal_note" TEXT NOT NULL, "proposed_by_id" INTEGER, '
 '"proposed_at" DATETIME, "decision" VARCHAR(16), "decision_note" TEXT NOT NULL, "decided_by_id" '
 'INTEGER, "decided_at" DATETIME, "churn_reason" VARCHAR(32), "updated_at" DATETIME NOT NULL, '
 'FOREIGN KEY ("membership_id") REFERENCES "membership" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("proposed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("decided_by_id") '
 'REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "renewal_case_membership_id" ON "renewal_case" ("membership_id")',
 'CREATE INDEX "renewal_case_proposed_by_id" ON "renewal_case" ("proposed_by_id")',
 'CREATE INDEX "renewal_case_decided_by_id" ON "renewal_case" ("decided_by_id")',
 'CREATE TABLE "sales_daily" ("id" INTEGER NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"date" DATE NOT NULL, "gmv_fen" INTEGER NOT NULL CHECK (gmv_fen >= 0), "orders" INTEGER NOT NULL '
 'CHECK (orders >= 0), "new_buyers" INTEGER NOT NULL CHECK (new_buyers >= 0), "repeat_orders" '
 'INTEGER NOT NULL CHECK (repeat_orders >= 0), "dropship_orders" INTEGER NOT NULL CHECK '
 '(dropship_orders >= 0), "shipments" INTEGER NOT NULL CHECK (shipments >= 0), '
 '"shipments_picked_48h" INTEGER NOT NULL CHECK (shipments_picked_48h >= 0) CHECK '
 '(shipments_picked_48h <= shipments), FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON '
 'DELETE CASCADE)',
 'CREATE INDEX "sales_daily_factory_id" ON "sales_daily" ("factory_id")',
 'CREATE UNIQUE INDEX "sales_daily_factory_id_date" ON "sales_daily" ("factory_id", "date")',
 'CREATE INDEX "sales_daily_date_factory_id" ON "sales_daily" ("date", "factory_id")',
 'CREATE TABLE "stage_event" ("id" INTEGER NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"stage" VARCHAR(16) NOT NULL CHECK (stage IN (\'lead\', \'contacted\', \'visited\', \'signed\', '
 '\'store_ready\', \'trained\', \'live\', \'lost\')), "entered_on" DATE NOT NULL, FOREIGN KEY '
 '("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "stage_event_factory_id" ON "stage_event" ("factory_id")',
 'CREATE INDEX "stage_event_entered_on" ON "stage_event" ("entered_on")',
 'CREATE UNIQUE INDEX "stage_event_factory_id_stage" ON "stage_event" ("factory_id", "stage")',
 'CREATE TABLE "user_region" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
 '"region_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("region_id") REFERENCES "region" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "user_region_user_id" ON "user_region" ("user_id")',
 'CREATE INDEX "user_region_region_id" ON "user_region" ("region_id")',
 'CREATE UNIQUE INDEX "user_region_user_id_region_id" ON "user_region" ("user_id", "region_id")',
 'CREATE TABLE "visit" ("id" INTEGER NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, "rep_id" '
 'INTEGER NOT NULL, "visited_at" DATETIME NOT NULL, "purpose" VARCHAR(16) NOT NULL CHECK (purpose '
 'IN (\'onboarding\', \'training\', \'renewal\', \'complaint\', \'routine\')), "notes" TEXT NOT '
 'NULL, "next_action_on" DATE, FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("rep_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "visit_factory_id" ON "visit" ("factory_id")',
 'CREATE INDEX "visit_rep_id" ON "visit" ("rep_id")',
 'CREATE UNIQUE INDEX "visit_factory_id_rep_id_visited_at" ON "visit" ("factory_id", "rep_id", '
 '"visited_at")',
 'CREATE INDEX "visit_factory_id_visited_at" ON "visit" ("factory_id", "visited_at")']

POSTGRES = ['CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "username" VARCHAR(64) NOT NULL, '
 '"display_name" VARCHAR(100) NOT NULL, "role" VARCHAR(16) NOT NULL CHECK (role IN (\'rep\', '
 '\'manager\', \'owner\', \'admin\')), "email" VARCHAR(254) NOT NULL, "phone" VARCHAR(32) NOT '
 'NULL, "password_hash" VARCHAR(255), "is_active" BOOLEAN NOT NULL, "locale" VARCHAR(10), '
 '"created_at" TIMESTAMP NOT NULL, "last_login_at" TIMESTAMP, "factory_id" INTEGER)',
 'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
 'CREATE INDEX "user_factory_id" ON "user" ("factory_id")',
 'CREATE TABLE "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "name" '
 'VARCHAR(100) NOT NULL, "token_hash" VARCHAR(128) NOT NULL, "created_at" TIMESTAMP NOT NULL, '
 '"created_by_id" INTEGER, "last_used_at" TIMESTAMP, "revoked_at" TIMESTAMP, FOREIGN KEY '
 '("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES '
 '"user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "api_token_user_id" ON "api_token" ("user_id")',
 'CREATE UNIQUE INDEX "api_token_token_hash" ON "api_token" ("token_hash")',
 'CREATE INDEX "api_token_created_by_id" ON "api_token" ("created_by_id")',
 'CREATE TABLE "audit_log" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, "user_id" '
 'INTEGER, "username" VARCHAR(64) NOT NULL, "action" VARCHAR(64) NOT NULL, "object_type" '
 'VARCHAR(32) NOT NULL, "object_id" VARCHAR(64) NOT NULL, "before" TEXT, "after" TEXT, "detail" '
 'TEXT NOT NULL, "ip" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON '
 'DELETE SET NULL)',
 'CREATE INDEX "audit_log_at" ON "audit_log" ("at")',
 'CREATE INDEX "audit_log_user_id" ON "audit_log" ("user_id")',
 'CREATE INDEX "audit_log_action" ON "audit_log" ("action")',
 'CREATE TABLE "region" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name_zh" '
 'VARCHAR(100) NOT NULL, "name_en" VARCHAR(100) NOT NULL, "province" VARCHAR(50) NOT NULL, "city" '
 'VARCHAR(50) NOT NULL, "industry_zh" VARCHAR(100) NOT NULL, "industry_en" VARCHAR(100) NOT NULL)',
 'CREATE UNIQUE INDEX "region_code" ON "region" ("code")',
 'CREATE TABLE "factory" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" '
 'VARCHAR(200) NOT NULL, "region_id" INTEGER NOT NULL, "kind" VARCHAR(16) NOT NULL CHECK (kind IN '
 '(\'factory\', \'trader\')), "rep_id" INTEGER, "specialized" BOOLEAN NOT NULL, "little_giant" '
 'BOOLEAN NOT NULL, "phone" VARCHAR(32) NOT NULL, "address" VARCHAR(255) NOT NULL, FOREIGN KEY '
 '("region_id") REFERENCES "region" ("id") ON DELETE RESTRICT, FOREIGN KEY ("rep_id") REFERENCES '
 '"user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "factory_code" ON "factory" ("code")',
 'CREATE INDEX "factory_region_id" ON "factory" ("region_id")',
 'CREATE INDEX "factory_rep_id" ON "factory" ("rep_id")',
 'CREATE TABLE "complaint" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, '
 '"factory_id" INTEGER NOT NULL, "category" VARCHAR(16) NOT NULL CHECK (category IN (\'traffic\', '
 "'fees', 'logistics', 'after_sales', 'service', 'rules', 'tools', 'payment', 'other')), "
 '"severity" VARCHAR(8) NOT NULL CHECK (severity IN (\'critical\', \'high\', \'normal\', '
 '\'low\')), "channel" VARCHAR(8) NOT NULL CHECK (channel IN (\'board\', \'group\', \'visit\', '
 '\'phone\')), "title" VARCHAR(200) NOT NULL, "body" TEXT NOT NULL, "status" VARCHAR(16) NOT NULL '
 'CHECK (status IN (\'open\', \'in_progress\', \'resolved\')), "assignee_id" INTEGER, '
 '"filed_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "first_response_at" TIMESTAMP, '
 '"resolved_at" TIMESTAMP, "satisfaction" SMALLINT CHECK (satisfaction IS NULL OR satisfaction '
 'BETWEEN 1 AND 5), FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("filed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "complaint_code" ON "complaint" ("code")',
 'CREATE INDEX "complaint_factory_id" ON "complaint" ("factory_id")',
 'CREATE INDEX "complaint_assignee_id" ON "complaint" ("assignee_id")',
 'CREATE INDEX "complaint_filed_by_id" ON "complaint" ("filed_by_id")',
 'CREATE INDEX "complaint_created_at" ON "complaint" ("created_at")',
 'CREATE INDEX "complaint_resolved_at" ON "complaint" ("resolved_at")',
 'CREATE TABLE "complaint_event" ("id" SERIAL NOT NULL PRIMARY KEY, "complaint_id" INTEGER NOT '
 'NULL, "author_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "from_status" VARCHAR(16), '
 '"to_status" VARCHAR(16), "body" TEXT NOT NULL, "internal" BOOLEAN NOT NULL, FOREIGN KEY '
 '("complaint_id") REFERENCES "complaint" ("id") ON DELETE CASCADE, FOREIGN KEY ("author_id") '
 'REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "complaint_event_complaint_id" ON "complaint_event" ("complaint_id")',
 'CREATE INDEX "complaint_event_author_id" ON "complaint_event" ("author_id")',
 'CREATE TABLE "login_session" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(64) NOT NULL, '
 '"user_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_seen_at" TIMESTAMP NOT NULL, '
 '"revoked_at" TIMESTAMP, "ip" VARCHAR(64) NOT NULL, "user_agent" VARCHAR(255) NOT NULL, FOREIGN '
 'KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE UNIQUE INDEX "login_session_key" ON "login_session" ("key")',
 'CREATE INDEX "login_session_user_id" ON "login_session" ("user_id")',
 'CREATE TABLE "membership" ("id" SERIAL NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"tier" VARCHAR(8) NOT NULL CHECK (tier IN (\'cxt\', \'super\')), "fee_fen" BIGINT NOT NULL CHECK '
 '(fee_fen >= 0), "start" DATE NOT NULL, "end" DATE NOT NULL, "outcome" VARCHAR(8) CHECK (outcome '
 'IS NULL OR outcome IN (\'renewed\', \'churned\')), FOREIGN KEY ("factory_id") REFERENCES '
 '"factory" ("id") ON DELETE CASCADE, CHECK ("end" > start))',
 'CREATE INDEX "membership_factory_id" ON "membership" ("factory_id")',
 'CREATE INDEX "membership_end" ON "membership" ("end")',
 'CREATE UNIQUE INDEX "membership_factory_id_start" ON "membership" ("factory_id", "start")',
 'CREATE INDEX "membership_tier_end" ON "membership" ("tier", "end")',
 'CREATE TABLE "renewal_case" ("id" SERIAL NOT NULL PRIMARY KEY, "membership_id" INTEGER NOT NULL, '
 '"status" VARCHAR(16) NOT NULL CHECK (status IN (\'open\', \'proposed\', \'approved\', '
 '\'rejected\', \'renewed\', \'churned\')), "risk_note" TEXT NOT NULL, "proposed_tier" VARCHAR(8), '
 '"proposed_fee_fen" BIGINT, "proposal_note" TEXT NOT NULL, "proposed_by_id" INTEGER, '
 '"proposed_at" TIMESTAMP, "decision" VARCHAR(16), "decision_note" TEXT NOT NULL, "decided_by_id" '
 'INTEGER, "decided_at" TIMESTAMP, "churn_reason" VARCHAR(32), "updated_at" TIMESTAMP NOT NULL, '
 'FOREIGN KEY ("membership_id") REFERENCES "membership" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("proposed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("decided_by_id") '
 'REFERENCES "user" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "renewal_case_membership_id" ON "renewal_case" ("membership_id")',
 'CREATE INDEX "renewal_case_proposed_by_id" ON "renewal_case" ("proposed_by_id")',
 'CREATE INDEX "renewal_case_decided_by_id" ON "renewal_case" ("decided_by_id")',
 'CREATE TABLE "sales_daily" ("id" SERIAL NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"date" DATE NOT NULL, "gmv_fen" BIGINT NOT NULL CHECK (gmv_fen >= 0), "orders" INTEGER NOT NULL '
 'CHECK (orders >= 0), "new_buyers" INTEGER NOT NULL CHECK (new_buyers >= 0), "repeat_orders" '
 'INTEGER NOT NULL CHECK (repeat_orders >= 0), "dropship_orders" INTEGER NOT NULL CHECK '
 '(dropship_orders >= 0), "shipments" INTEGER NOT NULL CHECK (shipments >= 0), '
 '"shipments_picked_48h" INTEGER NOT NULL CHECK (shipments_picked_48h >= 0) CHECK '
 '(shipments_picked_48h <= shipments), FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON '
 'DELETE CASCADE)',
 'CREATE INDEX "sales_daily_factory_id" ON "sales_daily" ("factory_id")',
 'CREATE UNIQUE INDEX "sales_daily_factory_id_date" ON "sales_daily" ("factory_id", "date")',
 'CREATE INDEX "sales_daily_date_factory_id" ON "sales_daily" ("date", "factory_id")',
 'CREATE TABLE "stage_event" ("id" SERIAL NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, '
 '"stage" VARCHAR(16) NOT NULL CHECK (stage IN (\'lead\', \'contacted\', \'visited\', \'signed\', '
 '\'store_ready\', \'trained\', \'live\', \'lost\')), "entered_on" DATE NOT NULL, FOREIGN KEY '
 '("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "stage_event_factory_id" ON "stage_event" ("factory_id")',
 'CREATE INDEX "stage_event_entered_on" ON "stage_event" ("entered_on")',
 'CREATE UNIQUE INDEX "stage_event_factory_id_stage" ON "stage_event" ("factory_id", "stage")',
 'CREATE TABLE "user_region" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
 '"region_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("region_id") REFERENCES "region" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "user_region_user_id" ON "user_region" ("user_id")',
 'CREATE INDEX "user_region_region_id" ON "user_region" ("region_id")',
 'CREATE UNIQUE INDEX "user_region_user_id_region_id" ON "user_region" ("user_id", "region_id")',
 'CREATE TABLE "visit" ("id" SERIAL NOT NULL PRIMARY KEY, "factory_id" INTEGER NOT NULL, "rep_id" '
 'INTEGER NOT NULL, "visited_at" TIMESTAMP NOT NULL, "purpose" VARCHAR(16) NOT NULL CHECK (purpose '
 'IN (\'onboarding\', \'training\', \'renewal\', \'complaint\', \'routine\')), "notes" TEXT NOT '
 'NULL, "next_action_on" DATE, FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("rep_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "visit_factory_id" ON "visit" ("factory_id")',
 'CREATE INDEX "visit_rep_id" ON "visit" ("rep_id")',
 'CREATE UNIQUE INDEX "visit_factory_id_rep_id_visited_at" ON "visit" ("factory_id", "rep_id", '
 '"visited_at")',
 'CREATE INDEX "visit_factory_id_visited_at" ON "visit" ("factory_id", "visited_at")',
 'ALTER TABLE "user" ADD CONSTRAINT "fk_user_factory_id_refs_factory" FOREIGN KEY ("factory_id") '
 'REFERENCES "factory" ("id") ON DELETE SET NULL']


def migrate(migrator, database, *, fake=False):
    """Create every table, index and constraint of the first schema."""
    statements = POSTGRES if isinstance(database, pw.PostgresqlDatabase) else SQLITE
    for statement in statements:
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    """Drop every table of the first schema."""
    tables = ['visit', 'user_region', 'stage_event', 'sales_daily', 'renewal_case', 'membership', 'login_session', 'complaint_event', 'complaint', 'factory', 'region', 'audit_log', 'api_token', 'user']
    for table in tables:
        migrator.sql('DROP TABLE IF EXISTS "%s"%s' % (
            table, " CASCADE" if isinstance(database, pw.PostgresqlDatabase) else ""))
