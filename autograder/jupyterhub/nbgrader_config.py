# nbgrader settings for every user's server on the example hub (jupyterhub_config.py puts this
# folder on JUPYTER_CONFIG_PATH). Students get the course id and the exchange, which is all their
# Assignments tab needs; instructors' servers (the hub sets PARTNERSHIP_COURSE_ROOT for them) also
# get the course configuration: grading by the grader, late penalties, the gradebook URL
# (PARTNERSHIP_DB_URL), feedback without grader notes, the export with a status column.
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership")
c.Exchange.root = os.environ.get("TAP_EXCHANGE", "/srv/nbgrader/exchange")

if os.environ.get("PARTNERSHIP_COURSE_ROOT"):          # an instructor
    from partnership.grader.config import configure

    configure(c)
