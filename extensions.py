"""Flask extensions created once, initialised in ``create_app``."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
compress = Compress()  # HTML, CSS and JSON answers (WhiteNoise serves vendor .gz files)
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage: RATELIMIT_STORAGE_URI, else REDIS_URL, else the database
# (rate_limits.py; see access.py).
limiter = Limiter(key_func=get_remote_address)
