"""The rows of a list table, written in Python: the same HTML the list widget's row loop wrote in Jinja
(app/templates/kkmp/widgets/list.html), at a fraction of its cost. Jinja spends a context lookup, a call wrapper
and an escape per expression; a page of 25 rows x 10 columns is some 1,400 of them, a sixth of the page's time.

Values are escaped exactly as the template's autoescape did (markupsafe.escape: ``Markup`` and ``__html__``
pass through, everything else becomes escaped text, None becomes "None"); the translated tooltips come in from
the template, already translated there.
"""
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def list_rows(value_columns, pks, include_columns, formatters_columns, actions, show_url, edit_url, flt,
              t_show, t_show_sr, t_edit, t_edit_sr, buttons):
    """``buttons``: the row has its buttons cell (can show, edit or delete). A row with a delete button is not
    written here (the template's loop keeps that case)."""
    flt = escape(flt)
    formatters = [(col, formatters_columns.get(col)) for col in include_columns]
    show = (f'" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{escape(t_show)}">'
            f'<span class="sr-only">{escape(t_show_sr)}</span><i class="fa fa-search"></i></a>')
    edit = (f'" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{escape(t_edit)}">'
            f'<span class="sr-only">{escape(t_edit_sr)}</span><i class="fa fa-edit"></i></a>')
    # A lazy label (a status, a kind) is the same object on every row that shows it: translated and escaped once
    # per page. Keyed by identity; the objects live in value_columns for the whole call.
    lazy = {}
    out = []
    append = out.append
    for item, pk in zip(value_columns, pks):
        spk = str(pk)
        epk = escape(spk)
        append("<tr>")
        if actions:
            append(f'<td><input id="{epk}" class="action_check" name="rowid" value="{epk}" type="checkbox"></td>')
        if buttons:
            append('<td><center><div class="btn-group btn-group-xs" style="display: flex;">')
            if show_url:
                append(f'<a href="{escape(show_url.replace("__PK__", spk))}{flt}{show}')
            if edit_url:
                append(f'<a href="{escape(edit_url.replace("__PK__", spk))}{flt}{edit}')
            append("</div></center></td>")
        for col, formatter in formatters:
            value = item[col]
            if formatter:
                cell = escape(formatter(value))
            elif value.__class__ is LazyString:
                cell = lazy.get(id(value))
                if cell is None:
                    cell = lazy[id(value)] = escape(value)
            else:
                cell = escape(value)
            append(f"<td>{cell}</td>")
        append("</tr>\n")
    return Markup("".join(out))


def register(app):
    app.jinja_env.globals["kkmp_list_rows"] = list_rows
