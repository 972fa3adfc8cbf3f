from app.http.common.blueprint import ApiBlueprint

blp = ApiBlueprint("auth", __name__, description="Identity: accounts, sessions, organizations")
