"""Demo translations of proposals in every state: Spanish and Vietnamese complete, Arabic
made from an earlier version (outdated) for one proposal and missing, with requests, for
another."""
from __future__ import annotations

from codesign.content_translations.models import (
    Origin,
    ProposalTranslation,
    TranslationRequest,
)
from codesign.content_translations.service import source_hash
from codesign.extensions import db
from codesign.proposals.models import Proposal, ProposalVersion


def load_demo_translations(district, staff, proposals: dict[str, Proposal]) -> bool:
    """proposals: {"attendance": ..., "climate": ..., "bus": ...}. False if already loaded."""
    from codesign.demo_translations import TEXTS

    ids = [p.id for p in proposals.values() if p is not None]
    if not ids or db.session.scalar(db.select(ProposalTranslation.id).where(ProposalTranslation.proposal_id.in_(ids))
                                    .limit(1)):
        return False
    if "vi" not in district.language_codes:
        district.language_codes = [*district.language_codes, "vi"]
    for key, proposal in proposals.items():
        version = proposal.current_version
        for locale, origin in (("es", Origin.DISTRICT), ("vi", Origin.COMMUNITY_REVIEWED)):
            _add(proposal, version, locale, TEXTS[key][locale], origin, staff)
    attendance = proposals["attendance"]
    first = db.session.scalar(db.select(ProposalVersion).where(ProposalVersion.proposal_id == attendance.id,
                                                               ProposalVersion.number == 1))
    _add(attendance, first, "ar", TEXTS["attendance_v1_ar"], Origin.DISTRICT, staff)  # outdated since version 2
    climate = proposals["climate"]
    db.session.add_all(TranslationRequest(proposal_id=climate.id, locale="ar", requester=f"browser:demo{n:027d}")
                       for n in range(7))
    db.session.commit()
    return True


def _add(proposal, version, locale, texts: dict[str, str], origin, staff) -> None:
    for field, text in texts.items():
        db.session.add(ProposalTranslation(
            proposal_id=proposal.id, locale=locale, field=field, text=text,
            source_hash=source_hash(getattr(version, field)), source_version=version.number, origin=origin,
            translator_id=staff.id))


# Other district-written texts: the first log entry and an organization in Spanish and Vietnamese,
# the other organization and an upcoming session in Arabic; the second log entry is not yet in
# Arabic, and families asked for it.
ENTRY_TEXTS = {
    "es": {
        "heard": "Muchas familias, en todos los idiomas, preguntaron por qué los datos de asistencia se "
                 "guardarían durante tres años después de que un estudiante se vaya.",
        "reasons": "Estamos de acuerdo en que tres años era más de lo que el propósito necesita. La versión 2 "
                   "guarda los datos un año escolar después de que el estudiante se vaya, y luego los borra.",
    },
    "vi": {
        "heard": "Nhiều gia đình, bằng mọi ngôn ngữ, đã hỏi tại sao dữ liệu chuyên cần lại được giữ ba năm "
                 "sau khi học sinh rời trường.",
        "reasons": "Chúng tôi đồng ý rằng ba năm là lâu hơn mức mục đích cần. Phiên bản 2 chỉ giữ dữ liệu một "
                   "năm học sau khi học sinh rời trường, rồi xóa.",
    },
}
ORGANIZATION_TEXTS = {
    ("Familias Unidas de Riverside", "es"): "Una red de madres y padres que se reúne en la biblioteca pública y "
    "en el centro comunitario del Eastside. Sesiones en español y vietnamita, con intérpretes.",
    ("Familias Unidas de Riverside", "vi"): "Một mạng lưới phụ huynh họp tại thư viện công cộng và trung tâm "
    "cộng đồng Eastside. Các buổi họp bằng tiếng Tây Ban Nha và tiếng Việt, có thông dịch viên.",
    ("Riverside Arabic and Somali Parents Circle", "ar"): "أولياء أمور يلتقون بعد صلاة الجمعة وصباح يوم السبت؛ "
    "الجلسات باللغتين العربية والصومالية، مع رعاية للأطفال.",
}
SESSION_TEXTS = {
    ("Online: questions about school climate surveys", "ar"): {"title": "عبر الإنترنت: أسئلة حول استبيانات المناخ المدرسي"},
    ("Online: questions about school climate surveys", "es"): {
        "title": "En línea: preguntas sobre las encuestas de clima escolar"},
}


def load_demo_text_translations(district, staff) -> bool:
    """Translations of log entries, organizations and a session. False if already loaded."""
    from codesign.community.models import Organization, Session
    from codesign.content_translations.models import (
        ContentTranslation,
        ContentTranslationRequest,
    )
    from codesign.responselog.models import ResponseEntry

    if db.session.scalar(db.select(ContentTranslation.id).where(ContentTranslation.district_id == district.id)
                         .limit(1)):
        return False
    entries = list(db.session.scalars(db.select(ResponseEntry).where(
        ResponseEntry.district_id == district.id, ResponseEntry.sequence.is_not(None)).order_by(ResponseEntry.sequence)))
    organizations = {o.name: o for o in db.session.scalars(
        db.select(Organization).where(Organization.district_id == district.id))}
    sessions = {s.title: s for s in db.session.scalars(db.select(Session).where(Session.district_id == district.id))}
    if not entries or not organizations:
        return False

    def add(kind, subject, locale, texts, origin=Origin.DISTRICT):
        for field, text in texts.items():
            db.session.add(ContentTranslation(
                district_id=district.id, kind=kind, subject_id=subject.id, locale=locale, field=field, text=text,
                source_hash=source_hash(getattr(subject, field)), origin=origin, translator_id=staff.id))

    for locale, texts in ENTRY_TEXTS.items():
        add("entry", entries[0], locale, texts)
    for (name, locale), text in ORGANIZATION_TEXTS.items():
        if name in organizations:
            add("organization", organizations[name], locale, {"description": text}, Origin.COMMUNITY_REVIEWED)
    for (title, locale), texts in SESSION_TEXTS.items():
        if title in sessions:
            add("session", sessions[title], locale, texts)
    if len(entries) > 1:
        db.session.add_all(ContentTranslationRequest(district_id=district.id, kind="entry",
                                                     subject_id=entries[1].id, locale="ar",
                                                     requester=f"browser:demo{n:027d}") for n in range(4))
    db.session.commit()
    return True
