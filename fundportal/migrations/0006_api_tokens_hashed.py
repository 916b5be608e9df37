"""Staff API tokens move from DRF's authtoken (keys stored in plain text) to django-rest-knox
(only a SHA-512 digest stored). Tokens already issued keep working: each plain key becomes a
knox row (its digest and the lookup prefix knox uses) that expires after the usual lifetime;
then the plain-text table, its content types and permissions, and its migration records go.
On a database that never had authtoken, this does nothing."""
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"
KNOX_PREFIX_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def plain_tokens_to_digests(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {OLD_TABLE}")
        rows = cursor.fetchall()
    for key, user_id in rows:
        # knox.crypto.hash_token with the default SHA-512, frozen here as the migration runs.
        AuthToken.objects.create(digest=hashlib.sha512(key.encode()).hexdigest(), token_key=key[:KNOX_PREFIX_LENGTH],
                                 user_id=user_id, expiry=expiry)
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="authtoken").delete()  # and their permissions, by cascade
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("knox", "0009_extend_authtoken_field"),
        ("fundportal", "0005_ledger_booked_on"),
    ]

    operations = [migrations.RunPython(plain_tokens_to_digests, migrations.RunPython.noop)]
