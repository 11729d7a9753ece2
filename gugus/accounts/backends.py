from django.contrib.auth.backends import ModelBackend


class GugusModelBackend(ModelBackend):
    """Username/password. Permissions come from memberships (accounts.roles), not Django perms."""
