"""Savings models."""
