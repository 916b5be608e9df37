"""The fund account now records the day through which periods are closed (it was worked out from the
published statements at every posting): set it from the statements published so far."""
from django.db import migrations
from django.db.models import Max


def closed_through_from_statements(apps, schema_editor):
    Statement = apps.get_model("disclosure", "Statement")
    FundAccount = apps.get_model("fundportal", "FundAccount")
    last = (Statement.objects.filter(state="published").exclude(kind="correction")
            .aggregate(last=Max("period_end"))["last"])
    if last:
        FundAccount.objects.filter(closed_through__isnull=True).update(closed_through=last)


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0005_constraint_messages"),
        ("fundportal", "0009_fund_account_closes_periods"),
    ]

    operations = [migrations.RunPython(closed_through_from_statements, migrations.RunPython.noop)]
