"""Third-party apps under the names the admin shows (it would show "Axes" and
"Tasks Database Backend")."""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = "Sign-in attempts and lockouts"


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = "Background tasks (the worker's queue)"
