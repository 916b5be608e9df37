"""Applying a bank result file is a long job (fundportal/jobs.py): its state, progress, attempts
and heartbeat. A file already applied is done, its lines counted; one not applied yet waits,
queued, and the core's requeue sends it.

The payouts' own requeue on the beat schedule becomes the core's one requeue of every long job
(as disclosure 0008 did for statements): the schedule row keeps its interval and whether it is
enabled, only its task and name change (or it goes, if the core's row is there already).

An application starts under review unless told otherwise (its table of moves needs a default).
"""
from django.db import migrations, models
from django.db.models import Count, Q

OLD_TASK, NEW_TASK = "assistance.tasks.bank_results_requeue_task", "fundportal.tasks.jobs_requeue_task"
NEW_NAME = "长任务：补发等待中的任务（每5分钟）"  # fundportal/defaults.py
OLD_NAME = "银行回单：补发等待中的对账任务（每5分钟）"


def files_as_jobs(apps, schema_editor):
    BankResult = apps.get_model("assistance", "BankResult")
    results = BankResult.objects.using(schema_editor.connection.alias)
    for pk, lines, applied in results.annotate(
            lines=Count("rows"), applied=Count("rows", filter=~Q(rows__outcome=""))).values_list(
            "pk", "lines", "applied"):
        results.filter(pk=pk).update(steps_total=lines, steps_done=applied)
    results.filter(finished_at__isnull=False).update(state="done")


def requeue_by_the_core(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.using(schema_editor.connection.alias)
    if tasks.filter(task=NEW_TASK).exists():
        tasks.filter(task=OLD_TASK).delete()
    else:
        tasks.filter(task=OLD_TASK).update(task=NEW_TASK, name=NEW_NAME)


def requeue_by_the_payouts(apps, schema_editor):
    """Back: the payouts' schedule row again, beside the core's if another job model still needs it."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks = PeriodicTask.objects.using(schema_editor.connection.alias)
    core = tasks.filter(task=NEW_TASK).first()
    if core is not None and not tasks.filter(task=OLD_TASK).exists():
        tasks.create(name=OLD_NAME, task=OLD_TASK, interval_id=core.interval_id, enabled=core.enabled)


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0016_intake_long_jobs'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.AddField(
            model_name='bankresult',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='error',
            field=models.TextField(blank=True, verbose_name='错误'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='phase',
            field=models.CharField(blank=True, max_length=100, verbose_name='当前阶段'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提交队列时间'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='state',
            field=models.CharField(choices=[('queued', '排队中'), ('running', '进行中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='steps_done',
            field=models.PositiveIntegerField(default=0, verbose_name='已处理'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='steps_total',
            field=models.PositiveIntegerField(default=0, verbose_name='总量'),
        ),
        migrations.AddField(
            model_name='bankresult',
            name='touched_at',
            field=models.DateTimeField(auto_now=True, help_text='排队或执行中长时间没有进展的，由补发任务重新排队', verbose_name='最近进展'),
        ),
        migrations.AlterField(
            model_name='application',
            name='state',
            field=models.CharField(choices=[('under_review', '待民政认定'), ('ready', '待测算救助金额'), ('not_eligible', '不符合救助条件'), ('withdrawn', '已撤回'), ('approved', '理事会已批准'), ('rejected', '理事会不予救助'), ('paid', '救助金已发放')], default='under_review', max_length=16, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='historicalapplication',
            name='state',
            field=models.CharField(choices=[('under_review', '待民政认定'), ('ready', '待测算救助金额'), ('not_eligible', '不符合救助条件'), ('withdrawn', '已撤回'), ('approved', '理事会已批准'), ('rejected', '理事会不予救助'), ('paid', '救助金已发放')], default='under_review', max_length=16, verbose_name='状态'),
        ),
        migrations.RunPython(files_as_jobs, migrations.RunPython.noop),
        migrations.RunPython(requeue_by_the_core, requeue_by_the_payouts),
    ]
