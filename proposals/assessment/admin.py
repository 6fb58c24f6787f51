"""The admin holds the assessment's configuration only: council departments,
each call's assessment settings and competence notes. Assessments, decisions,
appeals and messages change only through the services (the console)."""

from django.contrib import admin

from .models import CallAssessmentSettings, CompetenceNote, Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(CallAssessmentSettings)
class CallAssessmentSettingsAdmin(admin.ModelAdmin):
    list_display = ("call", "four_eyes", "appeal_days", "due_working_days")


@admin.register(CompetenceNote)
class CompetenceNoteAdmin(admin.ModelAdmin):
    list_display = ("call", "category", "note")
    list_filter = ("call", "category")
