from suppliers.admin_alerts import *  # noqa: F403
