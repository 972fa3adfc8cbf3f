from app.http.common.blueprint import ApiBlueprint

blp = ApiBlueprint(
    "marketplace", __name__, description="Listings, quotes, prices and their live stream"
)
