# nbgrader configuration for a "Therapy as Partnership" course folder (nbgrader 0.9).
#
# Keep this file in the course folder (the folder holding source/, keys/, release/, submitted/,
# autograded/, feedback/) and run nbgrader, or start JupyterLab for formgrader, from that folder.
# If you merge it into ~/.jupyter/nbgrader_config.py instead, also set the course folder there:
#     c.CourseDirectory.root = "/path/to/course"
# Environment variables, no editing needed:
#   PARTNERSHIP_DB_URL      gradebook database (default: gradebook.db here), for PostgreSQL e.g.
#                           postgresql+psycopg://grader:secret@db.example.org/tap_gradebook
#   PARTNERSHIP_COURSE_ID   course id for the JupyterHub exchange (default therapy-as-partnership)
#   PARTNERSHIP_COURSE_ROOT the course folder, when nbgrader is started elsewhere
# What configure() sets, and why: partnership/grader/config.py. Your own settings go below it.
c = get_config()  # noqa: F821 (provided by nbgrader)

from partnership.grader.config import configure  # noqa: E402

configure(c)
