from django.db import migrations

# Staff search over ~1M enterprises on PostgreSQL (enterprises.selectors.enterprise_search).
# SQLite (the embedded default) needs none of this; it is skipped there.
#
# 1. ent_name_c_uscc: btree on (name COLLATE "C", uscc). With C collation a btree serves
#    `name LIKE 'prefix%'` as a range scan (as varchar_pattern_ops does; Django already creates
#    enterprises_enterprise_name_*_like for db_index=True) AND returns rows already in the
#    search's ORDER BY name, uscc, so a prefix page is read straight from the index, no sort,
#    whatever the database's default collation. The INCLUDEd columns let the search read page
#    ids by an index-only scan that checks the user's region and the filters on the index
#    entries: company names start with their city, so a county user's "杭州…" skips ~9% of the
#    table, which costs ~200 ms with a table fetch per entry and ~10 ms without.
# 2. ent_name_bigrams: GIN over the character bigrams of lower(name), for substring search.
#    Chinese names are searched with 2-4 characters; a pg_trgm index cannot use a 2-character
#    pattern (no trigram in it) and falls back to a sequential scan (~200-400 ms at 1M rows),
#    while bigrams cover every query of 2+ characters and need no extension (pg_trgm may not
#    be installable by the application's role). The LIKE that goes with it rechecks exactly.
CREATE = """
CREATE OR REPLACE FUNCTION zqt_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT substr(lower($1), i, 2)
    FROM generate_series(1, greatest(char_length($1) - 1, 1)) AS i
  )
$$;
CREATE INDEX IF NOT EXISTS ent_name_c_uscc
  ON enterprises_enterprise ((name COLLATE "C"), uscc)
  INCLUDE (region_code, industry_code, status, id);
CREATE INDEX IF NOT EXISTS ent_name_bigrams
  ON enterprises_enterprise USING gin (zqt_bigrams(name));
"""
DROP = """
DROP INDEX IF EXISTS ent_name_bigrams;
DROP INDEX IF EXISTS ent_name_c_uscc;
DROP FUNCTION IF EXISTS zqt_bigrams(text);
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
