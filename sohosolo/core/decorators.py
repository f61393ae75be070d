from django.contrib.auth.decorators import login_not_required

# Every view is private unless marked public with this decorator (design §2, private by default).
public = login_not_required
