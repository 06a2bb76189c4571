# An example JupyterHub for one class of "Therapy as Partnership" (JupyterHub 5, nbgrader 0.9).
#
# One Linux machine; every student and instructor has a local Linux account and logs in with its
# password (PAM). Each user gets their own Jupyter server (running as that user); students fetch
# and submit assignments through nbgrader's exchange, a shared folder; instructors release,
# collect, autograde and mark in formgrader, with the gradebook in PostgreSQL.
#
# Run it as root from this folder (root is needed to start servers as each user):
#     npm ci                               # configurable-http-proxy, pinned in package.json
#     TAP_INSTRUCTORS=hsingh TAP_ROSTER=/srv/tap/roster.csv \
#     TAP_GRADEBOOK_URL=postgresql://grader:secret@127.0.0.1/tap_gradebook \
#     jupyterhub -f jupyterhub_config.py
# then put HTTPS in front of it (a reverse proxy with your institution's certificate) before
# anyone logs in from another machine. The instructor guide walks through a whole term on it.
#
# Settings, from the environment (defaults in brackets):
#   TAP_INSTRUCTORS     comma-separated logins of the instructors (hub admins, formgrader)
#   TAP_ROSTER          the roster CSV (id, first_name, last_name, email): its ids may log in
#   TAP_STUDENTS        or a comma-separated list of student logins instead of a roster
#   TAP_EXCHANGE        nbgrader's exchange folder [/srv/nbgrader/exchange]; create it once with
#                       mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange
#   TAP_GRADEBOOK_URL   the gradebook, for instructors only (never given to students)
#   TAP_COURSE_DIR      the course folder in each instructor's home [tap-course]
#   PARTNERSHIP_COURSE_ID                 the course id [therapy-as-partnership]
#   TAP_HUB_URL         where the hub listens [http://127.0.0.1:8000]
#   TAP_HUB_STATE       the hub's own state (its SQLite database, cookie secret) [/srv/jupyterhub]
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 (provided by JupyterHub)


def _list(name):
    return [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]


def _students():
    roster = os.environ.get("TAP_ROSTER")
    if roster:
        from partnership.grader.course import read_roster   # the same checks as the gradebook's
        return [e.id for e in read_roster(roster)]
    return _list("TAP_STUDENTS")


instructors = _list("TAP_INSTRUCTORS")
students = _students()
exchange = os.environ.get("TAP_EXCHANGE", "/srv/nbgrader/exchange")
course_id = os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership")
course_dir = os.environ.get("TAP_COURSE_DIR", "tap-course")
state = Path(os.environ.get("TAP_HUB_STATE", "/srv/jupyterhub"))

# --- who may log in: local Linux accounts, by password (PAM)
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(students) | set(instructors)
c.Authenticator.admin_users = set(instructors)

# --- the hub and its proxy (configurable-http-proxy from npm, installed beside this file)
c.JupyterHub.bind_url = os.environ.get("TAP_HUB_URL", "http://127.0.0.1:8000")
proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(proxy)]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# --- each user's server: JupyterLab, as that user, with the Python that runs the hub (which has
# the course package, nbgrader and the labs installed) and nbgrader's settings from this folder
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": str(HERE),        # nbgrader_config.py here: course id and exchange
    "PARTNERSHIP_COURSE_ID": course_id,
    "TAP_EXCHANGE": exchange,
}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120


def instructor_environment(spawner):
    """Only instructors' servers get the gradebook and the course folder (with the keys)."""
    if spawner.user.name in instructors:
        import pwd
        home = pwd.getpwnam(spawner.user.name).pw_dir
        spawner.environment["PARTNERSHIP_COURSE_ROOT"] = os.path.join(home, course_dir)
        if os.environ.get("TAP_GRADEBOOK_URL"):
            spawner.environment["PARTNERSHIP_DB_URL"] = os.environ["TAP_GRADEBOOK_URL"]


c.Spawner.pre_spawn_hook = instructor_environment
