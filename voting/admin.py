"""Nothing of voting is registered in Django's admin, on purpose:

- ballots: no staff screen may show who chose what (see `models`);
- ballot rules and results: they change only through the services (the rule
  locks when voting opens; results are computed by the engine and published by
  an administrator), on the administrator's page of a vote,
  `/staff/voting/<call>/` (`views.manage`)."""
