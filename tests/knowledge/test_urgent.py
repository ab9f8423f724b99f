"""The keyword safety net under the classifier, and the 2.87 guidance quoted word for word."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.framework import load_framework
from knowledge.urgent import not_danger_now, urgent_guidance, urgent_signals


@pytest.mark.parametrize(
    "message,situation",
    [
        ("kid left home alone mum not answering", "child_left_alone"),
        ("3 yr old been left on her own in the flat", "child_left_alone"),
        ("nobody has come to collect him from the contact centre and it's 7pm", "child_left_alone"),
        ("the baby is unattended in the car outside court", "child_left_alone"),
        ("mum isn't answering and the kids are alone", "child_left_alone"),
        ("the kids are locked in the flat and mum's gone out", "child_left_alone"),
        ("dad has locked the boy out in the garden, it's freezing", "child_left_alone"),
        ("she's been locked in her room since yesterday", "child_left_alone"),
        ("kids locked outside in the cold and no one answering", "child_left_alone"),
        ("a child has been left in a locked hot car outside court", "child_left_alone"),
        ("at the house now, the baby is floppy", "emergency_medical"),
        ("babys lips have gone blue", "emergency_medical"),
        ("smoke pouring out of the flat and the kids are inside", "emergency_medical"),
        ("strong smell of gas at the front door, kids crying inside", "emergency_medical"),
        ("child has a head injury and is bleeding what do i do", "emergency_medical"),
        ("teenager says she's taken pills, overdosed i think", "emergency_medical"),
        ("the baby isn't breathing properly", "emergency_medical"),
        ("he's unresponsive on the sofa", "emergency_medical"),
        ("dad turned up drunk with a knife, kids there", "immediate_risk"),
        ("she is threatening to kill the children", "immediate_risk"),
        ("child is in immediate danger at the contact handover", "immediate_risk"),
        ("he's hitting the child right in front of me", "immediate_risk"),
        ("boy says he's scared to go home tonight", "immediate_risk"),
    ],
)
def test_urgent_messages_are_recognised(message, situation):
    assert situation in [s.situation for s in urgent_signals(message)]


@pytest.mark.parametrize(
    "message",
    [
        "what is a strategy discussion",
        "is threats to kill on the schedule",
        "do I need a police check for a PR application",
        "C1A completed, dad hit mum 2 years ago, separated since",
        "how do I record a discussion with my service manager",
        "/urgent_danger",
        "",
    ],
)
def test_ordinary_questions_are_not_urgent(message):
    assert urgent_signals(message) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_is_read_without_error(text):
    assert isinstance(urgent_signals(text), list)


def test_guidance_quotes_2_87_and_puts_the_described_situation_first():
    fw = load_framework()
    guidance = urgent_guidance(situations=["emergency_medical"])
    lines = guidance.text.splitlines()
    assert lines[0].endswith("(Framework 2.87)")
    assert lines[2].startswith("• if a child needs emergency medical attention")
    for line in lines[: lines.index("Then:")]:
        if line.startswith("• ") and "(2." not in line:
            assert fw.quotes("2.87", line[2:].rstrip(".")), line
    assert guidance.citations == ("2.87", "2.83", "2.95", "2.103", "2.108", "2.106")
    assert "time and date" in guidance.text


@pytest.mark.parametrize(
    "ref, words",
    [
        ("2.83", "the practitioner must inform the Service Manager as soon as possible."),
        ("2.103", "The information given must be confirmed in writing"),
        ("2.108", "the Service Manager receives a copy of the written confirmation"),
        ("2.106", "Where a referral is made the court should be informed of the steps taken"),
    ],
)
def test_urgent_follow_up_gives_the_written_confirmation_the_managers_copy_and_the_court(ref, words):
    fw = load_framework()
    guidance = urgent_guidance()
    then = guidance.text.split("Then:")[1]
    (line,) = [line for line in then.splitlines() if line.endswith(f"({ref})")]
    assert words in line and fw.quotes(ref, line[2 : -len(f" ({ref})")])
    assert guidance.buttons == (("Referral: steps and dates", '/start_walkthrough{"walkthrough": "referral_type"}'),)
    assert guidance.text.index("Since then") > guidance.text.index("(2.106)")


@pytest.mark.parametrize(
    "message",
    [
        "the boy says his stepdad is punching his mum right now and he is hiding upstairs",
        "mum is completely drunk and the toddler is with her on her own",
        "dad is high as a kite and the kids are with him",
        "the 15 year old kid is really drunk and can't stand up",
    ],
)
def test_present_tense_violence_and_intoxication_are_urgent(message):
    assert urgent_signals(message)


def test_an_offence_named_on_a_printout_is_not_urgent():
    assert urgent_signals("PNC shows 'Drunk in charge of a child under 7 years', 2011 conviction") == []


@pytest.mark.parametrize(
    "message",
    [
        "no there isn't",
        "unsupervised contact was ordered at the FHDRA, do I need a police check",
        "risk ID done and I rated it as imminent risk, what now",
        "a child we worked with was seriously injured last month, is there an SCR",
        "dad threatened to take the kids to Poland and not come back",
        "what do I do if a teenager discloses self-harming",
        "C1A says he had a knife at the house in 2019",
        "not enough information to say they're at risk now",
        "is drunk in charge of a child on the schedule",
        "how do i reset my password for the case management system, locked out",
        "I'm locked out of my laptop again",
        "do i need to refer? parents are very high conflict, the child is a bit anxious",
        "contact application, harm box no, but the child is very distressed and the parents' break up is high",
        "mum smokes cannabis in front of the children, is that a referral",
        "what does the Framework say about fire setting by a child in the history",
        "blue folder or the case file, where do I record the discussion",
        "locked in to a fixed-term contract, can I still apply for the FCA post",
    ],
)
def test_everyday_practice_words_are_not_taken_for_danger_now(message):
    assert urgent_signals(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "she disclosed that her stepdad touches her and he's collecting her from school in half an hour",
        "boy told me mum's partner beat him, he has to go home with him after this",
        "family are flying to Lahore tonight with the kids despite the PSO",
        "dad's at the airport now with the children",
        "missing 6 yr old, last seen near the canal with an adult nobody knows",
        "dad rang to say they'll never see the kids alive again",
        "he's on his way to the foster home saying he'll take her back by force",
        "he is slapping the 3 yr old in the hallway",
    ],
)
def test_new_kinds_of_danger_now_are_urgent(message):
    assert urgent_signals(message)


@pytest.mark.parametrize(
    "message",
    [
        "locked out of my laptop again, can't get into my emails",
        "urgent - position statement due to court by 4pm",
        "if a parent turns up drunk to a handover, what should the worker do?",
        "hypothetically, a toddler found alone on a visit, who do I ring",
        "what counts as immediate danger?",
        "mum's going to kill me if I'm late for the meeting",
        "dad was missing for two weeks in 2021 and the child stayed with gran",
        "the child went missing once 3 yrs ago and was found that night",
        "child has been missing school a lot this term",
    ],
)
def test_what_only_sounds_urgent_is_not_danger_now(message):
    assert urgent_signals(message) == []


@pytest.mark.parametrize(
    "message,situation",
    [
        (
            "the boy told his teacher his stepdad beats him with a belt, and he is going back to him after school",
            "immediate_risk",
        ),
        ("she said grandad touched her in the bath; she's sleeping at grandad's tonight", "immediate_risk"),
        ("he disclosed that his uncle hurt him, the uncle is on his way to collect him from nursery", "immediate_risk"),
        ("text from the 9yo: 'please send someone, he's locked the door'", "immediate_risk"),
        ("on the phone with the lad, he says his stepdad's punching mum in the kitchen", "immediate_risk"),
        ("dad messaged mum 'this is goodbye' and he has both girls in the car", "immediate_risk"),
        ("mum keeps saying the baby is better off dead, she has him with her", "immediate_risk"),
        ("the 13yo says she'll be 'circumcised' in Egypt, the family are flying out tomorrow", "immediate_risk"),
        (
            "family are travelling to Guinea on Saturday and the girl has heard the aunties talk about FGM",
            "immediate_risk",
        ),
        ("i can hear glass smashing in the background and the toddler is crying", "immediate_risk"),
        ("she rang and then the line went dead, the children are with him", "immediate_risk"),
        ("dad's just told me he's taken a load of his sleeping pills and he's got the baby", "emergency_medical"),
        ("two little ones alone in a van in the supermarket car park", "child_left_alone"),
        ("a 3 yr old is out on the flat roof next door", "child_left_alone"),
        ("the baby has been in the car on her own for half an hour", "child_left_alone"),
    ],
)
def test_more_kinds_of_danger_now_are_urgent(message, situation):
    assert situation in [s.situation for s in urgent_signals(message)]


@pytest.mark.parametrize(
    "message",
    [
        "what do we mean by 'immediate risk' in the duty rota?",
        "is a referral the same as imminent danger, or different?",
        "she saw him hold a knife to her mum when she was 4; he is now in custody until 2030",
        "we had to ring 999 last week on a visit, what should I put in the log",
    ],
)
def test_definitions_and_history_over_now_are_not_danger_now(message):
    assert urgent_signals(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "dad called it 'an emergency' but when I rang back it was about the holiday dates",
        "mum worries dad lets them have too much screen time and junk food",
        "grandma says the child is settled and doing well at school",
        "dad used drugs years ago but he's been 5 years clean now",
        "the father did not turn up for contact again, the boy was disappointed",
    ],
)
def test_what_is_calm_or_over_is_not_danger_now(message):
    assert not_danger_now(message)


@pytest.mark.parametrize(
    "message",
    [
        "mum says the kids are fine but dad has just hit the baby",
        "dad used to drink but he's drunk now and has the kids",
        "grandma says the child is settled but has bruises today",
    ],
)
def test_a_word_of_harm_keeps_a_calm_sounding_message_from_being_set_aside(message):
    assert not not_danger_now(message)


@pytest.mark.parametrize(
    "message,situation",
    [
        ("her ex has just run off with the twins from the park", "immediate_risk"),
        ("grandad is drunk and is driving the 6yo to swimming", "immediate_risk"),
        ("the neighbour says he's outside the flat with a crowbar", "immediate_risk"),
        ("mum says someone has just broken in downstairs", "immediate_risk"),
        ("dad says he's going to drive the car into the canal with the boys", "immediate_risk"),
        ("the 2yo swallowed a battery from the remote", "emergency_medical"),
        ("the baby's lips are swelling after she ate a peanut", "emergency_medical"),
    ],
)
def test_taking_weapons_and_ingestion_now_are_urgent(message, situation):
    assert situation in [s.situation for s in urgent_signals(message)]


def test_an_old_conviction_for_driving_drunk_with_a_child_is_not_danger_now():
    assert urgent_signals("he was convicted of driving drunk with his daughter in the car - on the schedule?") == []


@pytest.mark.parametrize(
    "message,situation",
    [
        (
            "school say the man collecting the 7yo today is on the sex offenders register, he's at reception",
            "immediate_risk",
        ),
        ("a convicted paedophile is babysitting the kids right now", "immediate_risk"),
        (
            "foster carer is flying the children to Lagos in 2hrs without the LA agreeing, care order in place",
            "immediate_risk",
        ),
        ("dad has the passports and is taking the boys to Iraq tomorrow, no consent from mum", "immediate_risk"),
        ("she messaged 'goodbye' and says she's on the bridge now", "immediate_risk"),
        ("the 14yo is at the railway tracks and says she wants to die", "immediate_risk"),
        ("girl says she's being flown to Somalia on Saturday to be 'cut'", "immediate_risk"),
        ("the 15yo says they fly out on Tuesday and she's marrying a man she's never met", "immediate_risk"),
        ("dad on the phone screaming he'll burn the house down with the kids inside", "immediate_risk"),
        ("mums bf strangled her 10 mins ago and he's still in the flat with the baby", "immediate_risk"),
        ("dads punchin her rite now n the kids r screamin", "immediate_risk"),
        ("the boy says stepdad whipped him with a cable and stepdad is picking him up in 15 minutes", "immediate_risk"),
        ("7 yr old says uncle does sex things to her, he's babysitting her tonight", "immediate_risk"),
        ("dad's absolutely hammered and he's the only adult with the baby tonight", "immediate_risk"),
        ("the 5yo has vanished from the park, mum can't find him", "immediate_risk"),
        ("the 13yo is at a flat with older men who won't let her leave", "immediate_risk"),
        ("someone is smashing the glass in the back door and the kids are inside", "immediate_risk"),
        ("dad's having a psychotic episode and says the baby is possessed", "immediate_risk"),
        ("the toddler drank some dishwasher liquid and is being sick", "emergency_medical"),
        ("the 8yo is having an asthma attack and can't get her breath", "emergency_medical"),
        ("flames coming out of the kitchen window and the children are still inside", "emergency_medical"),
        ("the girl has taken a whole packet of co-codamol", "emergency_medical"),
        ("toddler walking along the dual carriageway, no adult anywhere", "child_left_alone"),
        ("found a 4 year old alone in the flat, no adult here", "child_left_alone"),
        ("twins 9 months left in car outside the supermarket", "child_left_alone"),
        ("the lil one is on her own in the house and mums not been back since this morning", "child_left_alone"),
    ],
)
def test_danger_now_in_the_many_ways_it_is_put_is_urgent(message, situation):
    assert situation in [s.situation for s in urgent_signals(message)]


@pytest.mark.parametrize(
    "message",
    [
        "IT emergency!! my phone has no signal in the new office",
        "emergency - left my ID badge at home and can't get into court",
        "emergency, my car won't start and I've a visit at 10",
        "summary from last week: child left alone for an hour, LA involved and a plan now in place",
        "child was in A&E at the weekend with a broken wrist, discharged same day",
        "kid says mum used to leave him alone when he was 6, he's 12 now and she's stopped",
        "dad has a knife collection from his chef days, the knives are locked away",
        "father has a licensed shotgun kept in a locked gun cabinet",
        "the 15 year old stays home alone for an hour after school, is that ok?",
        "what does 2.87 say about children left alone",
        "who do I call first when a child is in immediate danger?",
        "when is a situation considered imminent danger?",
        "what should I do if I ever find a child alone on a home visit?",
        "the children witnessed a house fire last year and are now having therapy",
        "mum overdosed when the kids were small, she's well now",
        "Dad says mum threatened to kill herself last Christmas in an argument",
        "Drunk in charge of a child under 7 - which Act?",
        "dad says the judge is killing him with these delays",
        "the family are going to Spain on holiday next week, both parents agree",
        "the registered sex offender on the case has no contact and lives 200 miles away",
    ],
)
def test_what_only_sounds_like_danger_now_is_not_urgent(message):
    assert urgent_signals(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "IT emergency!! my phone has no signal in the new office",
        "summary from last week: child left alone for an hour, LA involved and a plan now in place",
        "child was in A&E at the weekend with a broken wrist, discharged same day",
        "kid mentioned dad has 'a big knife collection' on the wall - he's a chef, knives locked. anything to do?",
        "dad says the judge is killing him with these delays",
    ],
)
def test_an_emergency_of_it_history_over_now_or_a_weapon_locked_away_sets_the_classifiers_urgent_aside(message):
    assert not_danger_now(message)


@pytest.mark.parametrize(
    "message,situation",
    [
        ("mum says her partner has just thrown boiling water at her and the 2yo was in her arms", "emergency_medical"),
        ("the 4 year old has a crisp packet stuck in his throat and is going purple", "emergency_medical"),
        ("the 6yo fell in the pond and isn't responding properly", "emergency_medical"),
        ("dad says he'll take the children over the border tonight and no one will find them", "immediate_risk"),
        ("the 12yo is with a 25 year old man in a hotel tonight", "immediate_risk"),
        ("the father grabbed the 2yo off mum in the street and is running towards the station", "immediate_risk"),
        ("two small children wandering along the canal towpath on their own, it's dark", "child_left_alone"),
        ("the 3 kids have been home by themselves since Friday", "child_left_alone"),
    ],
)
def test_scalds_choking_and_children_alone_near_water_are_urgent(message, situation):
    assert situation in [s.situation for s in urgent_signals(message)]


@pytest.mark.parametrize(
    "message",
    [
        "the girl has a broken arm in a cast from netball, it's healing",
        "the child said the film at dad's had a man with a gun in it and it scared her",
        "the kids were home alone for 10 minutes while dad nipped to the shop, the 15 year old was in charge",
        "dad once poured boiling water on mum's arm, that was in 2016 and he went to prison for it",
        "test me on what to do when a child is left alone",
    ],
)
def test_an_injury_healing_a_film_or_an_old_event_is_not_urgent(message):
    assert urgent_signals(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "Mum's mental health is stable and she's engaging with her GP",
        "the kids said they were bored at dad's and want to go home early",
        "mum is angry that dad introduced his new girlfriend to the kids",
        "mum is taking the kids to Ireland for a weekend, dad has agreed in writing",
        "mum has been clean for 3 years and has her own flat now",
    ],
)
def test_an_everyday_account_with_no_word_of_harm_is_not_danger_now(message):
    assert not_danger_now(message)


def test_children_still_inside_a_fire_is_not_taken_for_someone_still_in_prison():
    assert not not_danger_now("flames coming out of the kitchen window, the children are still inside")


@pytest.mark.parametrize(
    "message",
    [
        "the 15yo says if she's sent back to mum's tonight she'll end it, she's got tablets saved up",
        "mum says dad's packed the kids' bags and is on the way to Manchester airport, there's a no removal order",
        "gran says mum is lying on the kitchen floor and won't respond, kids are with her",
        "the 14yo has been gone since yesterday with a man in his 40s",
        "she messaged 'help me they won't let me go'",
        "dad has poured petrol round the house and the kids are in there",
        "dad's just left the 3 yr old in the car outside the court",
        "a 5 year old on the kerb outside the pub at 11pm crying for his mum",
    ],
)
def test_understated_or_indirect_danger_now_is_urgent(message):
    assert urgent_signals(message)


@pytest.mark.parametrize(
    "message",
    [
        "dad has punched mum and is putting the baby in his car",
        "the toddler was knocked to the floor when they started fighting",
        "two kids are in there on their own, no adult inside",
        "she left the 2yo and the 4yo at home on their own this morning",
    ],
)
def test_a_child_taken_knocked_down_or_left_inside_alone_is_urgent(message):
    assert urgent_signals(message)


@pytest.mark.parametrize(
    ("message", "situation"),
    [
        (
            "her boyfriend's got a gun and he's on his way over now, she's with the kids, he's out on licence",
            "immediate_risk",
        ),
        ("the RSO is at mum's house right now with the 5yo", "immediate_risk"),
        ("the toddler swallowed a button battery ten minutes ago", "emergency_medical"),
        ("she told me her uncle raped her last night and he's collecting her at end of day", "immediate_risk"),
    ],
)
def test_danger_now_beside_words_that_also_describe_the_everyday(message, situation):
    """A prison licence is not a gun licence; a registered sex offender at someone's house; a button battery; the end
    of the school day as when a child goes back to the person they told of."""
    assert situation in {s.situation for s in urgent_signals(message)}


def test_a_licensed_gun_kept_locked_away_is_not_danger_now():
    assert urgent_signals("dad has a shotgun licence and keeps it locked in a cabinet") == []
