"""Settlement imports and screening runs are long jobs (fundportal/jobs.py), of the statement's
shape: `status` is renamed `state` (its values stay: pending, running, done, failed), and they gain
the job's progress, error, attempts, send time and heartbeat. An import's moves now have a history.
Their requeue is the core's one beat task (fundportal.tasks.jobs_requeue_task): no schedule row to change.
"""
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0015_chinese_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalSettlementImport',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('attempts', models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('file', models.TextField(blank=True, max_length=100, verbose_name='文件')),
                ('file_name', models.CharField(max_length=200, verbose_name='文件名')),
                ('state', models.CharField(choices=[('pending', '排队中'), ('running', '导入中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=10, verbose_name='状态')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='总行数')),
                ('rows_imported', models.PositiveIntegerField(default=0, verbose_name='导入行数')),
                ('rows_rejected', models.PositiveIntegerField(default=0, verbose_name='错误行数')),
                ('rows_unchanged', models.PositiveIntegerField(default=0, verbose_name='未变化行数')),
                ('people_created', models.PositiveIntegerField(default=0, verbose_name='新增人员')),
                ('seconds', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, verbose_name='用时（秒）')),
                ('message', models.TextField(blank=True, verbose_name='说明')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical 结算数据导入',
                'verbose_name_plural': 'historical 结算数据导入',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RemoveConstraint(
            model_name='screeningrun',
            name='screening_shared_only_when_done',
        ),
        migrations.RenameField(
            model_name='historicalscreeningrun',
            old_name='status',
            new_name='state',
        ),
        migrations.RenameField(
            model_name='screeningrun',
            old_name='status',
            new_name='state',
        ),
        migrations.RenameField(
            model_name='settlementimport',
            old_name='status',
            new_name='state',
        ),
        migrations.AddField(
            model_name='historicalscreeningrun',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='historicalscreeningrun',
            name='error',
            field=models.TextField(blank=True, verbose_name='错误'),
        ),
        migrations.AlterField(
            model_name='historicalscreeningrun',
            name='state',
            field=models.CharField(choices=[('pending', '排队中'), ('running', '筛查中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='error',
            field=models.TextField(blank=True, verbose_name='错误'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='phase',
            field=models.CharField(blank=True, max_length=100, verbose_name='当前阶段'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提交队列时间'),
        ),
        migrations.AlterField(
            model_name='screeningrun',
            name='state',
            field=models.CharField(choices=[('pending', '排队中'), ('running', '筛查中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='steps_done',
            field=models.PositiveIntegerField(default=0, verbose_name='已处理'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='steps_total',
            field=models.PositiveIntegerField(default=0, verbose_name='总量'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='touched_at',
            field=models.DateTimeField(auto_now=True, help_text='排队或执行中长时间没有进展的，由补发任务重新排队', verbose_name='最近进展'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, help_text='每次开始执行加一；工作进程中断后重新执行也计入', verbose_name='执行次数'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='error',
            field=models.TextField(blank=True, verbose_name='错误'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='phase',
            field=models.CharField(blank=True, max_length=100, verbose_name='当前阶段'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提交队列时间'),
        ),
        migrations.AlterField(
            model_name='settlementimport',
            name='state',
            field=models.CharField(choices=[('pending', '排队中'), ('running', '导入中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='steps_done',
            field=models.PositiveIntegerField(default=0, verbose_name='已处理'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='steps_total',
            field=models.PositiveIntegerField(default=0, verbose_name='总量'),
        ),
        migrations.AddField(
            model_name='settlementimport',
            name='touched_at',
            field=models.DateTimeField(auto_now=True, help_text='排队或执行中长时间没有进展的，由补发任务重新排队', verbose_name='最近进展'),
        ),
        migrations.AddConstraint(
            model_name='screeningrun',
            constraint=models.CheckConstraint(condition=models.Q(('shared_at__isnull', True), ('state', 'done'), _connector='OR'), name='screening_shared_only_when_done', violation_error_message='筛查完成后才能推送'),
        ),
        migrations.AddField(
            model_name='historicalsettlementimport',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='导入人'),
        ),
        migrations.AddField(
            model_name='historicalsettlementimport',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
