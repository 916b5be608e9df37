"""A statement's build is a long job (fundportal/jobs.py): attempts, phase, when it was sent, and
counters wide enough for any job.

The statements' own requeue on the beat schedule becomes the core's one requeue of every long job:
the schedule row keeps its interval and whether it is enabled, only its task and name change.

On SQLite, adding a column with a default rebuilds the table, which drops its triggers: the ones
refusing any change to a published statement (0002) are created again.
"""
from django.db import migrations, models

from fundportal.migration_utils import run_sql_per_vendor

OLD_TASK, NEW_TASK = "disclosure.tasks.statement_requeue_task", "fundportal.tasks.jobs_requeue_task"
NEW_NAME = "长任务：补发等待中的任务（每5分钟）"  # fundportal/defaults.py
MESSAGE = "published statements are immutable: "
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS disclosure_statement_no_update;",
    "DROP TRIGGER IF EXISTS disclosure_statement_no_delete;",
    f"""CREATE TRIGGER disclosure_statement_no_update BEFORE UPDATE ON disclosure_statement
       WHEN OLD.state = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}UPDATE refused'); END;""",
    f"""CREATE TRIGGER disclosure_statement_no_delete BEFORE DELETE ON disclosure_statement
       WHEN OLD.state = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}DELETE refused'); END;""",
]


def requeue_by_the_core(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.using(schema_editor.connection.alias)
    if tasks.filter(task=NEW_TASK).exists():
        tasks.filter(task=OLD_TASK).delete()
    else:
        tasks.filter(task=OLD_TASK).update(task=NEW_TASK, name=NEW_NAME)


def requeue_by_the_statements(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(task=NEW_TASK).update(
        task=OLD_TASK, name="收支公示：补发等待中的生成任务（每5分钟）")


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0007_chinese_verbose_names'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalstatement',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='statement',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='statement',
            name='phase',
            field=models.CharField(blank=True, max_length=100, verbose_name='当前阶段'),
        ),
        migrations.AddField(
            model_name='statement',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提交队列时间'),
        ),
        migrations.AlterField(
            model_name='statement',
            name='steps_done',
            field=models.PositiveIntegerField(default=0, verbose_name='已处理'),
        ),
        migrations.AlterField(
            model_name='statement',
            name='steps_total',
            field=models.PositiveIntegerField(default=0, verbose_name='总量'),
        ),
        migrations.AlterField(
            model_name='statement',
            name='touched_at',
            field=models.DateTimeField(auto_now=True, help_text='排队或执行中长时间没有进展的，由补发任务重新排队', verbose_name='最近进展'),
        ),
        run_sql_per_vendor({"sqlite": SQLITE_TRIGGERS}, {}),
        migrations.RunPython(requeue_by_the_core, requeue_by_the_statements),
    ]
