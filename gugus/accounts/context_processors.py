from .scope import scope_for


def gugus(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {"scope": scope, "perms_gugus": {p for g in scope.grants for p in g.perms}}
