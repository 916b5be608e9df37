"""The record of every public file as written (its hash; a rendered file's bytes), append-only: the
database refuses to change or delete a record, whoever asks, so a tampered file cannot be recorded
over — a page that a publication changes gets a new version instead.

Row triggers do not fire on TRUNCATE, which is what test-database flushes use.
"""
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from fundportal.migration_utils import run_sql_per_vendor

MESSAGE = "public file records are append-only: "
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION disclosure_publicfile_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = '{MESSAGE}' || TG_OP || ' refused';
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER disclosure_publicfile_append_only
        BEFORE UPDATE OR DELETE ON disclosure_publicfile
        FOR EACH ROW EXECUTE FUNCTION disclosure_publicfile_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS disclosure_publicfile_append_only ON disclosure_publicfile;",
    "DROP FUNCTION IF EXISTS disclosure_publicfile_append_only();",
]
SQLITE_UP = [
    f"""CREATE TRIGGER disclosure_publicfile_no_update BEFORE UPDATE ON disclosure_publicfile
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}UPDATE refused'); END;""",
    f"""CREATE TRIGGER disclosure_publicfile_no_delete BEFORE DELETE ON disclosure_publicfile
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}DELETE refused'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS disclosure_publicfile_no_update;",
               "DROP TRIGGER IF EXISTS disclosure_publicfile_no_delete;"]


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0002_published_statements_immutable'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(help_text='相对公开文件目录', max_length=200, verbose_name='路径')),
                ('version', models.PositiveIntegerField(verbose_name='版本')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveIntegerField(verbose_name='字节数')),
                ('content', models.BinaryField(blank=True, default=b'', verbose_name='内容')),
                ('written_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='写出时间')),
                ('statement', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='public_files', to='disclosure.statement', verbose_name='收支公示')),
            ],
            options={
                'verbose_name': '公开文件记录',
                'verbose_name_plural': '公开文件记录',
                'ordering': ['path', '-version'],
                'constraints': [models.UniqueConstraint(fields=('path', 'version'), name='public_file_one_per_version')],
            },
        ),
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
