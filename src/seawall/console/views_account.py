"""Sign in and out, the home page of queues, personal settings and breaks."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Request

from seawall.console import auth
from seawall.console.deps import Posted, chrome, console_state, form_data, posted, signed_in
from seawall.console.render import ConsoleRoute, is_htmx, page, partial, redirect
from seawall.review import audit, users, wellbeing, worklist
from seawall.review.roles import APPEALS_QUEUE, QA_QUEUE
from seawall.review.tables import ConsoleUser

router = APIRouter(route_class=ConsoleRoute)


def _safe_next(target: str | None) -> str:
    # Only paths inside the console: an open redirect would help phishing.
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


@router.get("/login")
def login_page(request: Request, next: str = "", error: str = ""):
    token = secrets.token_urlsafe(24)
    resp = page(request, "login.html", login_token=token, next=_safe_next(next), error=error, ctx=None)
    auth.set_cookie(resp, request, auth.LOGIN_COOKIE, token, console_state(request).sessions, max_age=3600)
    return resp


@router.post("/login")
def login(request: Request, form: dict = Depends(form_data)):
    st = console_state(request)
    presented, expected = str(form.get("login_token", "")), request.cookies.get(auth.LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise auth.CsrfFailed("the sign-in form expired; reload the page and try again")
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    with st.db.session() as s:
        user = users.authenticate(s, username, password)
        if user is None:
            audit.record(s, username[:200] or "?", "sign_in_failed")
        else:
            token, _ = auth.start(s, user, st.sessions)
            audit.record(s, user.username, "sign_in")
    if user is None:
        return page(request, "login.html", status=401, login_token=presented, next=_safe_next(str(form.get("next"))),
                    error="Wrong user name or password, or the account is locked.", ctx=None)
    resp = redirect(_safe_next(str(form.get("next", ""))))
    auth.set_cookie(resp, request, auth.COOKIE, token, st.sessions)
    resp.delete_cookie(auth.LOGIN_COOKIE, path="/console")
    return resp


@router.post("/logout")
def logout(request: Request, p: Posted = Depends(posted)):
    st = console_state(request)
    with st.db.session() as s:
        auth.end(s, request.cookies.get(auth.COOKIE))
        audit.record(s, p.ctx.username, "sign_out")
    resp = redirect("/console/login")
    resp.delete_cookie(auth.COOKIE, path="/console")
    return resp


@router.get("/")
def home(request: Request, ctx: auth.Ctx = Depends(signed_in)):
    st = console_state(request)
    who = ctx.who
    with st.db.session() as s:
        names = worklist.all_queue_names(s)
        visible = [q for q in names if who.can_open_queue(q)]
        summaries = worklist.summaries(s, visible)
        return page(request, "home.html", summaries=summaries,
                    special={APPEALS_QUEUE: who.can("appeals"), QA_QUEUE: who.can("qa_review")}, **chrome(s, ctx))


@router.get("/settings")
def settings_page(request: Request, ctx: auth.Ctx = Depends(signed_in), saved: int = 0):
    with console_state(request).db.session() as s:
        return page(request, "settings.html", saved=bool(saved), choices=users.SETTING_CHOICES, **chrome(s, ctx))


@router.post("/settings")
def save_settings(request: Request, p: Posted = Depends(posted)):
    changes = {"blur": p.get("blur", "strong"), "grayscale": p.get("grayscale") == "on",
               "break_after": p.get("break_after", "20"), "text_size": p.get("text_size", "normal")}
    with console_state(request).db.session() as s:
        user = s.get(ConsoleUser, p.ctx.user_id)
        saved = users.update_settings(user, changes)
        audit.record(s, p.ctx.username, "settings", detail=saved)
    return redirect("/console/settings?saved=1")


@router.post("/break")
def take_break(request: Request, p: Posted = Depends(posted)):
    with console_state(request).db.session() as s:
        user = s.get(ConsoleUser, p.ctx.user_id)
        wellbeing.take_break(s, user)
        audit.record(s, p.ctx.username, "break")
    return page(request, "break.html", ctx=p.ctx, shift=None)


@router.post("/break/later")
def break_later(request: Request, p: Posted = Depends(posted)):
    with console_state(request).db.session() as s:
        user = s.get(ConsoleUser, p.ctx.user_id)
        wellbeing.snooze(s, user, break_after=int(p.ctx.settings.get("break_after", 20)))
    if is_htmx(request):
        return partial(request, "nothing")
    return redirect(p.get("back") if p.get("back", "").startswith("/console") else "/console/")

