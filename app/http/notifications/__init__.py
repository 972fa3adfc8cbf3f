"""HTTP of notifications: the in-app list, read marks, preferences, one-click unsubscribe
and the delivery failures platform admins see."""
