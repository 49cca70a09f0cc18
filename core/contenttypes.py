"""Helpers for migrations that move models between apps."""


def content_types_hand_over(apps, schema_editor, old, new, models):
    """
    Move the models' content types to their new app, so their permissions (and the staff groups
    and users holding them) and the admin log's entries follow them.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in models:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
