"""Staff API tokens move from DRF's authtoken (keys stored in plain text) to django-rest-knox with
our own token model (only a SHA-512 digest stored). Tokens already issued keep working: each plain
key becomes a row with its digest and the lookup prefix knox uses, expiring after the usual
lifetime; then the plain-text table, its content types and permissions, and its migration records
go. On a database that never had authtoken, only the new table is created."""
import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

OLD_TABLE = "authtoken_token"
KNOX_PREFIX_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def plain_tokens_to_digests(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("fundportal", "ApiToken")
    expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {OLD_TABLE}")
        rows = cursor.fetchall()
    # knox.crypto.hash_token with its default SHA-512, frozen here as the migration runs.
    ApiToken.objects.bulk_create([
        ApiToken(digest=hashlib.sha512(key.encode()).hexdigest(), token_key=key[:KNOX_PREFIX_LENGTH],
                 user_id=user_id, expiry=expiry)
        for key, user_id in rows
    ])
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="authtoken").delete()  # and their permissions, by cascade
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('fundportal', '0005_ledger_booked_on'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('digest', models.CharField(editable=False, max_length=128, unique=True)),
                ('token_key', models.CharField(db_index=True, editable=False, max_length=25)),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='签发时间')),
                ('expiry', models.DateTimeField(blank=True, null=True, verbose_name='有效期至')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auth_token_set', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
            ],
            options={
                'verbose_name': 'API 令牌',
                'verbose_name_plural': 'API 令牌',
            },
        ),
        migrations.RunPython(plain_tokens_to_digests, migrations.RunPython.noop),
    ]
